/**
 * Generated regions inside hand-written Markdown: the text between
 * `<!-- name:begin -->` and `<!-- name:end -->` belongs to a generator,
 * the rest to people.
 */

/** Replaces the body of the `marker` region; throws when the markers are missing. */
export const replaceRegion = (text: string, marker: string, body: string, file = 'the document'): string => {
  const begin = `<!-- ${marker}:begin -->`;
  const end = `<!-- ${marker}:end -->`;
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${file} lacks the ${begin} … ${end} markers`);
  return `${text.slice(0, from + begin.length)}\n${body.trim()}\n${text.slice(to)}`;
};

/** A Markdown table cell: no line breaks, pipes escaped. */
export const cell = (text: string): string => text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');
