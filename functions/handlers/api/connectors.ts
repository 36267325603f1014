/** `GET /v1/connectors`: each connector's webhook URL and whether its secrets are set. */
import { listConnectors } from '../../connectors/index.js';
import { describeWeakSecret, weakSecrets } from '../../connectors/shared/secret-strength.js';
import { jsonResponse } from '../../shared/http.js';
import type { ApiDeps } from './deps.js';
import type { ApiRoutes } from './types.js';

export const connectorRoutes = (deps: ApiDeps): ApiRoutes<'GET /v1/connectors'> => ({
  'GET /v1/connectors': async () => {
    const connectors = await Promise.all(
      listConnectors().map(async (c) => {
        const secrets = await deps.secrets.get(c.name);
        const weak = weakSecrets(c, secrets);
        const missing = c.secrets.filter((s) => s.required && !secrets[s.name]);
        const problems = [
          ...missing.map((s) => `${c.name}: "${s.name}" (locally ${s.env}) is not set`),
          ...weak.map(describeWeakSecret),
        ];
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
            ...(s.minBytes !== undefined ? { minBytes: s.minBytes } : {}),
            configured: Boolean(secrets[s.name]) && !weak.some((w) => w.name === s.name),
          })),
          configured: problems.length === 0,
          ...(problems.length ? { reason: problems.join('; ') } : {}),
        };
      }),
    );
    return jsonResponse(200, { connectors });
  },
});
