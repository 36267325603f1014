/**
 * Assembles the generated parts of README.md: one section per registered
 * connector (from the README in its folder) and the deployment guide (from
 * lib/README-infra.md), so operator docs live beside the code they describe
 * and the README can't drift from them (a test checks it is current).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listConnectors } from '../connectors/index.js';

const between = (text: string, marker: string, body: string): string => {
  const begin = `<!-- ${marker}:begin -->`;
  const end = `<!-- ${marker}:end -->`;
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README.md lacks the ${begin} … ${end} markers`);
  return `${text.slice(0, from + begin.length)}\n${body.trim()}\n${text.slice(to)}`;
};

/** Shifts Markdown headings down so a document nests under a README section. */
const nest = (markdown: string, levels: number): string =>
  markdown.replace(/^(#{1,6}) /gm, (_, hashes: string) => `${'#'.repeat(Math.min(6, hashes.length + levels))} `);

const renderConnectorSections = (root: string): string => {
  const rows = listConnectors().map(
    (c) =>
      `| [${c.displayName}](#${c.name}) | \`/webhooks/${c.name}\` | ${c.channel} | ${
        c.secrets
          .filter((s) => s.required)
          .map((s) => `\`${s.env}\``)
          .join(', ') || '—'
      } |`,
  );
  const sections = listConnectors().map((c) => {
    const file = join(root, 'functions/connectors', c.name, 'README.md');
    const body = existsSync(file) ? nest(readFileSync(file, 'utf8').replace(/^# .*\n/, ''), 2) : '';
    return `### ${c.name}\n\n**${c.displayName}** · \`POST /webhooks/${c.name}\` · [folder](functions/connectors/${c.name}) · [vendor docs](${c.docsUrl})\n\n${body.trim()}\n`;
  });
  return [
    '| Connector | Webhook path | Channel | Required secret (local env) |',
    '|---|---|---|---|',
    ...rows,
    '',
    ...sections,
  ].join('\n');
};

export const renderReadme = (root: string): string => {
  let readme = readFileSync(join(root, 'README.md'), 'utf8');
  readme = between(readme, 'connectors', renderConnectorSections(root));
  readme = between(readme, 'infra', readFileSync(join(root, 'lib/README-infra.md'), 'utf8'));
  return readme;
};
