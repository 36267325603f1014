/**
 * The generated regions of docs/security.md: which level each API route
 * needs (from `HTTP_ROUTES` and the route contracts' summaries) and how each
 * connector secret is rotated (from the connector registry's secret specs),
 * so the page cannot drift from the policies the stack builds or from the
 * connectors it lists.
 */
import { listConnectors } from '../../functions/connectors/index.js';
import { API_CONTRACTS } from '../../functions/handlers/api/contracts.js';
import { type ApiRouteKey, HTTP_ROUTES, routeKey } from '../../functions/shared/routes.js';
import { cell } from './markers.js';

const LEVEL_ORDER = ['read', 'send', 'admin'];

/** Route | Level | What it does, lowest level first, in table order within a level. */
export const renderAccessLevels = (): string => {
  const routes = HTTP_ROUTES.filter((r) => r.auth === 'iam').sort(
    (a, b) => LEVEL_ORDER.indexOf(a.access) - LEVEL_ORDER.indexOf(b.access),
  );
  return [
    '| Route | Level | What it does |',
    '|---|---|---|',
    ...routes.map(
      (r) => `| \`${routeKey(r)}\` | ${r.access} | ${cell(API_CONTRACTS[routeKey(r) as ApiRouteKey]?.summary ?? '')} |`,
    ),
  ].join('\n');
};

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
