/**
 * `GET /v1/connectors`: each connector's webhook URL and whether its secrets
 * are set. The status comes from secret metadata (`SecretStatusReader`), never
 * from the values: on AWS the `api` function may not read a signing secret.
 */
import { listConnectors } from '../../connectors/index.js';
import { jsonResponse } from '../../shared/http.js';
import type { ApiDeps } from './deps.js';
import type { ApiRoutes } from './types.js';

export const connectorRoutes = (deps: ApiDeps): ApiRoutes<'GET /v1/connectors'> => ({
  'GET /v1/connectors': async () => {
    const connectors = await Promise.all(
      listConnectors().map(async (c) => {
        const status = await deps.secretStatus.status(c.name);
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
            // Per key only where the store can tell from metadata (locally); on AWS only ingest can.
            ...(status.keys ? { configured: status.keys[s.name] ?? false } : {}),
          })),
          // A connector without required secrets needs nothing set.
          configured: c.secrets.some((s) => s.required) ? status.configured : true,
          ...(status.updatedAt ? { secretUpdatedAt: status.updatedAt } : {}),
        };
      }),
    );
    return jsonResponse(200, { connectors });
  },
});
