/** Plain-text tables for the terminal (pure; unit tested). */

export type Cell = string | number | null | undefined;

/** Formats a cell: numbers to at most `digits` decimals with thousands separators, empty for null. */
export const cell = (value: Cell, digits = 2): string => {
  if (value === null || value === undefined) return '–';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return '–';
    return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
  }
  return value;
};

/** Left-aligns text columns and right-aligns numeric ones, with a rule under the header. */
export const formatTable = (header: readonly string[], rows: readonly (readonly Cell[])[], digits = 2): string => {
  const text = rows.map((r) => header.map((_, i) => cell(r[i], digits)));
  const numeric = header.map(
    (_, i) => rows.length > 0 && rows.every((r) => r[i] === null || r[i] === undefined || typeof r[i] === 'number'),
  );
  const widths = header.map((h, i) => Math.max(h.length, ...text.map((r) => (r[i] as string).length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...text.map(line)].join('\n');
};

/** The same table as GitHub-flavoured Markdown (pipes in cells escaped). */
export const markdownTable = (header: readonly string[], rows: readonly (readonly Cell[])[], digits = 2): string => {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const numeric = header.map(
    (_, i) => rows.length > 0 && rows.every((r) => r[i] === null || r[i] === undefined || typeof r[i] === 'number'),
  );
  return [
    `| ${header.map(esc).join(' | ')} |`,
    `| ${numeric.map((n) => (n ? '---:' : '---')).join(' | ')} |`,
    ...rows.map((r) => `| ${header.map((_, i) => esc(cell(r[i], digits))).join(' | ')} |`),
  ].join('\n');
};

/** Replaces the text between `<!-- name:start -->` and `<!-- name:end -->`; undefined when the markers are missing. */
export const replaceBetween = (doc: string, name: string, content: string): string | undefined => {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  if (i < 0 || j < i) return undefined;
  return `${doc.slice(0, i + start.length)}\n${content}\n${doc.slice(j)}`;
};
