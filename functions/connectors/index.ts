/**
 * The connector registry. Adding a connector is one folder plus one line
 * here; the route, the secret, the docs listing and the contract tests pick it
 * up from this map. Explicit (not discovered) so esbuild can bundle it and the
 * compiler sees every entry.
 */
import { marquizConnector } from './marquiz/index.js';
import { telegramConnector } from './telegram/index.js';
import type { Connector } from './types.js';
import { viberConnector } from './viber/index.js';
import { whatsappConnector } from './whatsapp/index.js';

export const CONNECTORS = {
  marquiz: marquizConnector,
  telegram: telegramConnector,
  viber: viberConnector,
  whatsapp: whatsappConnector,
} satisfies Record<string, Connector<any>>;

export type ConnectorName = keyof typeof CONNECTORS;

export const listConnectors = (): Connector<unknown>[] => Object.values(CONNECTORS) as Connector<unknown>[];

export const findConnector = (name: string | undefined): Connector<unknown> | undefined =>
  name !== undefined && Object.hasOwn(CONNECTORS, name) ? (CONNECTORS as Record<string, Connector<unknown>>)[name] : undefined;

export { secretEnvName } from './shared/secret-env.js';
