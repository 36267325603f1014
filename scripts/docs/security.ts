/**
 * The secret-rotation table of docs/security.md, rendered from the connector
 * registry's secret specs (who issues each key and how it is replaced), so
 * the page lists every connector the stack creates a secret for.
 */
import { listConnectors } from '../../functions/connectors/index.js';
import { cell } from './markers.js';

const ISSUED_BY = { vendor: 'the vendor', operator: 'you', none: '— (not a credential)' } as const;

/** Connector | Key | Issued by | How to replace it, one row per secret key of every connector. */
export const renderSecretRotation = (): string =>
  [
    '| Connector | Key | Issued by | How to replace it |',
    '|---|---|---|---|',
    ...listConnectors().flatMap((c) =>
      c.secrets.map((s) => `| ${c.name} | \`${s.name}\` | ${ISSUED_BY[s.rotation.by]} | ${cell(s.rotation.how)} |`),
    ),
  ].join('\n');
