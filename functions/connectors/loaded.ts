/**
 * Every connector module, loaded up front: for the tests, the CLI and the
 * benchmarks, which sign samples and replay fixtures for all of them. The
 * Lambda functions never import this module; they load one connector on its
 * first webhook (`loadConnector` in `./index.js`).
 */
import { CONNECTORS, type ConnectorName } from './index.js';
import type { Connector } from './types.js';

const modules = await Promise.all(Object.values(CONNECTORS).map((entry) => entry.load()));

/** Every connector by name, loaded. */
export const LOADED_CONNECTORS = Object.fromEntries(modules.map((c) => [c.name, c])) as Readonly<
  Record<ConnectorName, Connector<unknown>>
>;

/** Every connector, loaded, in registry order. */
export const listLoadedConnectors = (): Connector<unknown>[] => [...modules];

/** The loaded connector named `name`, or undefined. */
export const findConnector = (name: string | undefined): Connector<unknown> | undefined =>
  name !== undefined && Object.hasOwn(LOADED_CONNECTORS, name)
    ? (LOADED_CONNECTORS as Record<string, Connector<unknown>>)[name]
    : undefined;
