/**
 * `GET /v1/connectors`: each connector's webhook URL, whether its secrets
 * are set, and the last event it delivered (one Query over a few small
 * items). The status comes from secret metadata (`SecretStatusReader`), never
 * from the values: on AWS the `api` function may not read a signing secret,
 * so a secret set too short is known from what ingest reported
 * (`SecretProblemLog`).
 */
import * as z from 'zod';
import { listConnectors } from '../../connectors/index.js';
import { ChannelSchema } from '../../events/hub-event.js';
import { type RouteContracts, respond } from './contract.js';
import type { ApiDeps } from './deps.js';
import type { ApiRoutes } from './types.js';

const ConnectorViewSchema = z
  .object({
    name: z.string().meta({ description: 'URL segment, registry key and event source suffix' }),
    displayName: z.string(),
    channel: ChannelSchema,
    webhookPath: z.string(),
    webhookUrl: z.string().optional().meta({ description: 'When the hub knows its public base URL' }),
    docsUrl: z.string().meta({ description: "The vendor's webhook documentation" }),
    secrets: z.array(
      z.object({
        name: z.string(),
        env: z.string().meta({ description: 'Environment variable holding it in the local runtime' }),
        description: z.string(),
        required: z.boolean(),
        minBytes: z.number().int().optional().meta({
          description: 'Fewest bytes accepted (secrets you choose, and vendor secrets whose format guarantees it)',
        }),
        configured: z.boolean().optional().meta({
          description:
            'This key is set and long enough. Only where the secret store can tell from metadata (the local runtime); on AWS the API never reads a secret value',
        }),
      }),
    ),
    configured: z.boolean().meta({
      description:
        'The connector can verify requests, not refuse them: locally every required key is set and long enough; on AWS an operator has put a value (the placeholder the stack created is no longer current) and ingest has not reported it too short',
    }),
    reason: z.string().optional().meta({
      description:
        'Why not configured: a secret that is not set, or is too short (names the secret and its length, never its value)',
    }),
    secretUpdatedAt: z.iso
      .datetime()
      .optional()
      .meta({ description: 'When the current secret value was put (AWS: the current version was created)' }),
    lastEvent: z
      .object({
        connector: z.string(),
        receivedAt: z.string().meta({ description: 'When the hub received it' }),
        occurredAt: z.string().meta({ description: 'When it happened at the vendor' }),
        type: z.string().meta({ description: 'The hub event type' }),
      })
      .optional()
      .meta({
        description: 'The newest event it delivered, to the minute (writes are coalesced); absent until one arrives',
      }),
  })
  .meta({ id: 'Connector' });

export const connectorContracts = {
  'GET /v1/connectors': {
    summary: "List the connectors, their webhook URLs and whether their secrets are set (never the secrets' values)",
    status: 200,
    response: z.object({ connectors: z.array(ConnectorViewSchema) }),
  },
} as const satisfies RouteContracts<'GET /v1/connectors'>;

/**
 * Problems ingest reported for the connector's current secret (on AWS, where
 * only ingest reads values): a report older than the secret's last change is
 * about a value that was since replaced, so it no longer counts.
 */
const reportedProblems = async (deps: ApiDeps, connector: string, updatedAt: string | undefined) => {
  const reported = await deps.secretProblems?.latest(connector);
  return reported && (!updatedAt || reported.at >= updatedAt) ? reported.problems : [];
};

export const connectorRoutes = (deps: ApiDeps): ApiRoutes<'GET /v1/connectors'> => ({
  'GET /v1/connectors': async () => {
    const lastEvents = (await deps.activity?.lastEvents()) ?? {};
    const connectors = await Promise.all(
      listConnectors().map(async (c) => {
        const status = await deps.secretStatus.status(c.name);
        const problems = [...(status.problems ?? []), ...(await reportedProblems(deps, c.name, status.updatedAt))];
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
            // Per key only where the store can tell from metadata (locally); on AWS only ingest can.
            ...(status.keys ? { configured: status.keys[s.name] ?? false } : {}),
          })),
          // A connector without required secrets needs nothing set; a secret too short leaves it unconfigured.
          configured: (c.secrets.some((s) => s.required) ? status.configured : true) && problems.length === 0,
          ...(problems.length ? { reason: problems.join('; ') } : {}),
          ...(status.updatedAt ? { secretUpdatedAt: status.updatedAt } : {}),
          ...(lastEvents[c.name] ? { lastEvent: lastEvents[c.name] } : {}),
        };
      }),
    );
    return respond(connectorContracts['GET /v1/connectors'], { connectors });
  },
});
