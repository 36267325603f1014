/**
 * `GET /v1/connectors`: each connector's webhook URL, whether its secrets are
 * set, and the last event it delivered (one Query over a few small items).
 */
import { listConnectors } from '../../connectors/index.js';
import { jsonResponse } from '../../shared/http.js';
import type { ApiDeps } from './deps.js';
import type { ApiRoutes } from './types.js';

export const connectorRoutes = (deps: ApiDeps): ApiRoutes<'GET /v1/connectors'> => ({
  'GET /v1/connectors': async () => {
    const lastEvents = (await deps.activity?.lastEvents()) ?? {};
    const connectors = await Promise.all(
      listConnectors().map(async (c) => {
        const secrets = await deps.secrets.get(c.name);
        return {
          name: c.name,
          displayName: c.displayName,
          channel: c.channel,
          webhookPath: `/webhooks/${c.name}`,
          ...(deps.publicBaseUrl ? { webhookUrl: `${deps.publicBaseUrl.replace(/\/+$/, '')}/webhooks/${c.name}` } : {}),
          docsUrl: c.docsUrl,
          secrets: c.secrets.map((s) => ({
            name: s.name,
            env: s.env,
            description: s.description,
            required: s.required,
            configured: Boolean(secrets[s.name]),
          })),
          configured: c.secrets.every((s) => !s.required || Boolean(secrets[s.name])),
          ...(lastEvents[c.name] ? { lastEvent: lastEvents[c.name] } : {}),
        };
      }),
    );
    return jsonResponse(200, { connectors });
  },
});
