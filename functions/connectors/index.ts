/**
 * The connector registry. Adding a connector is one folder plus one line
 * here; the route, the secret, the docs listing and the contract tests pick it
 * up from this map. Explicit (not discovered) so esbuild can bundle it and the
 * compiler sees every entry.
 */
import { marquizConnector } from './marquiz/index.js';
import { telegramConnector } from './telegram/index.js';
import type { Connector } from './types.js';
import { whatsappConnector } from './whatsapp/index.js';

export const CONNECTORS = {
  marquiz: marquizConnector,
  telegram: telegramConnector,
  whatsapp: whatsappConnector,
} satisfies Record<string, Connector<any>>;

export type ConnectorName = keyof typeof CONNECTORS;

export const listConnectors = (): Connector<unknown>[] => Object.values(CONNECTORS) as Connector<unknown>[];

export const findConnector = (name: string | undefined): Connector<unknown> | undefined =>
  name !== undefined && Object.hasOwn(CONNECTORS, name) ? (CONNECTORS as Record<string, Connector<unknown>>)[name] : undefined;

/** Local env variable of a connector secret: `OMNIHUB_SECRET_<NAME>`, `OMNIHUB_VERIFY_TOKEN_<NAME>`. */
export const secretEnvName = (kind: 'SECRET' | 'VERIFY_TOKEN', connector: string): string =>
  `OMNIHUB_${kind}_${connector.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
