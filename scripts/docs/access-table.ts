/**
 * The "who may do what" table of docs/security.md, rendered from the route
 * table (each route's access level) and the OpenAPI summaries, so a new route
 * appears in the security page with its level the moment it is declared.
 */
import { buildOpenApiDocument } from '../../functions/handlers/api/openapi.js';
import { HTTP_ROUTES, routeKey } from '../../functions/shared/routes.js';
import { cell } from './markers.js';

const LEVEL_ORDER = ['read', 'send', 'admin'] as const;

export const renderAccessTable = (): string => {
  const paths = buildOpenApiDocument().paths as Record<string, Record<string, { summary?: string }>>;
  const rows = HTTP_ROUTES.filter((r) => r.auth === 'iam')
    .slice()
    .sort((a, b) => LEVEL_ORDER.indexOf(a.access as never) - LEVEL_ORDER.indexOf(b.access as never))
    .map(
      (r) => `| \`${routeKey(r)}\` | ${r.access} | ${cell(paths[r.path]?.[r.method.toLowerCase()]?.summary ?? '')} |`,
    );
  return ['| Route | Level | What it does |', '|---|---|---|', ...rows].join('\n');
};
