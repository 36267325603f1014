/**
 * Small, dependency-free email helpers for the inbound-email connectors (SES,
 * Mailgun): mailbox parsing (`"Name" <a@b>`), RFC 2047 encoded words, and a
 * text snippet from a raw MIME message. Deliberately minimal: the hub needs a
 * sender, a display name and ~200 characters of text, not a full MIME tree,
 * so attachments, nested messages and exotic encodings are skipped rather
 * than parsed. Pure functions; bounded work on hostile input.
 */
import { truncate } from './build-event.js';

/** Characters of body text kept as the `snippet`. */
const SNIPPET_CHARS = 200;

/** Nesting depth and part count a MIME walk is allowed before it gives up. */
const MAX_MIME_DEPTH = 4;
const MAX_MIME_PARTS = 50;

export interface Mailbox {
  /** Display name, decoded (`Олена Коваль`); undefined when the header has none. */
  readonly name?: string;
  /** `local@domain` exactly as written (normalization to lowercase happens in `buildEvent`). */
  readonly address: string;
}

/** Decodes bytes in a MIME charset; unknown labels fall back to UTF-8 instead of failing. */
const decodeCharset = (bytes: Uint8Array, charset: string | undefined): string => {
  const label = (charset ?? 'utf-8').trim().replace(/^"|"$/g, '').toLowerCase() || 'utf-8';
  try {
    return new TextDecoder(label).decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
};

/** Quoted-printable (RFC 2045 §6.7) → bytes; `underscoreIsSpace` for RFC 2047 "Q" words. */
const decodeQuotedPrintable = (text: string, underscoreIsSpace = false): Buffer => {
  const unfolded = text.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < unfolded.length; i++) {
    const ch = unfolded[i] as string;
    const hex = unfolded.slice(i + 1, i + 3);
    if (ch === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else if (ch === '_' && underscoreIsSpace) {
      bytes.push(0x20);
    } else {
      // Raw 8-bit characters survive as their latin1 byte.
      bytes.push(ch.charCodeAt(0) & 0xff);
    }
  }
  return Buffer.from(bytes);
};

const ENCODED_WORD = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;

/**
 * Decodes RFC 2047 encoded words (`=?UTF-8?B?0J7Qu9C10L3QsA==?=`) in a header
 * value. Whitespace between two adjacent encoded words is dropped, as the RFC
 * requires; text outside encoded words is kept as is.
 */
export const decodeEncodedWords = (value: string): string =>
  value
    .replace(/(=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)\s+(?==\?[^?\s]+\?[BbQq]\?)/g, '$1')
    .replace(ENCODED_WORD, (_whole, charset: string, encoding: string, data: string) => {
      const bytes = encoding.toUpperCase() === 'B' ? Buffer.from(data, 'base64') : decodeQuotedPrintable(data, true);
      // RFC 2231 allows a language suffix: `UTF-8*uk`.
      return decodeCharset(bytes, charset.split('*')[0]);
    });

/** Splits on `separator` outside quoted strings, comments and angle brackets. */
const splitOutside = (value: string, separator: string): string[] => {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  let comment = 0;
  let angle = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] as string;
    if (quoted) {
      current += ch;
      if (ch === '\\' && i + 1 < value.length) current += value[++i];
      else if (ch === '"') quoted = false;
      continue;
    }
    if (ch === '"' && comment === 0) quoted = true;
    else if (ch === '(') comment++;
    else if (ch === ')' && comment > 0) comment--;
    else if (ch === '<' && comment === 0) angle = true;
    else if (ch === '>' && comment === 0) angle = false;
    if (ch === separator && !angle && comment === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
};

const ADDRESS = /^[^\s@<>()",;]+@[^\s@<>()",;]+$/;

const unquote = (text: string): string => {
  const trimmed = text.trim();
  return trimmed.startsWith('"') && trimmed.endsWith('"') && trimmed.length >= 2
    ? trimmed.slice(1, -1).replace(/\\(.)/g, '$1')
    : trimmed;
};

const cleanName = (raw: string | undefined): string | undefined => {
  if (raw === undefined) return undefined;
  const name = decodeEncodedWords(unquote(raw)).replace(/\s+/g, ' ').trim();
  return name || undefined;
};

/**
 * Parses one mailbox: `"Name" <a@b>`, `Name <a@b>`, `<a@b>`, `a@b`,
 * `a@b (Name)`. Undefined when no plausible address is found.
 */
export const parseMailbox = (value: string | undefined): Mailbox | undefined => {
  if (!value) return undefined;
  const text = value.trim();
  const open = text.lastIndexOf('<');
  const close = text.lastIndexOf('>');
  if (open !== -1 && close > open) {
    const address = text.slice(open + 1, close).trim();
    if (!ADDRESS.test(address)) return undefined;
    const name = cleanName(text.slice(0, open));
    return name ? { name, address } : { address };
  }
  const comment = /\(([^()]*)\)/.exec(text);
  const address = text.replace(/\([^()]*\)/g, '').trim();
  if (!ADDRESS.test(address)) return undefined;
  const name = cleanName(comment?.[1]);
  return name ? { name, address } : { address };
};

/** Parses an address list header (`To`, `Cc`), skipping entries that are not mailboxes. */
export const parseMailboxList = (value: string | undefined): Mailbox[] =>
  value
    ? splitOutside(value, ',')
        .map((part) => parseMailbox(part))
        .filter((m): m is Mailbox => m !== undefined)
    : [];

/** `<id@host>` → `id@host`: message ids are compared without their angle brackets. */
export const stripAngleBrackets = (value: string | undefined): string | undefined => {
  const id = value?.trim().replace(/^<|>$/g, '').trim();
  return id || undefined;
};

// ------------------------------------------------------------------ MIME

interface MimePart {
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Buffer;
}

interface HeaderValue {
  readonly value: string;
  readonly params: Readonly<Record<string, string>>;
}

/** `text/plain; charset="utf-8"` → value and lowercased parameter names. */
const parseHeaderValue = (raw: string | undefined): HeaderValue => {
  const [value = '', ...rest] = splitOutside(raw ?? '', ';');
  const params: Record<string, string> = {};
  for (const param of rest) {
    const eq = param.indexOf('=');
    if (eq === -1) continue;
    params[param.slice(0, eq).trim().toLowerCase()] = unquote(param.slice(eq + 1));
  }
  return { value: value.trim().toLowerCase(), params };
};

const parseHeaderBlock = (text: string): Map<string, string> => {
  const headers = new Map<string, string>();
  for (const line of text.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return headers;
};

const parsePart = (raw: Buffer): MimePart => {
  // A part that starts with an empty line has no headers (defaults apply).
  if (raw[0] === 0x0a) return { headers: new Map(), body: raw.subarray(1) };
  if (raw[0] === 0x0d && raw[1] === 0x0a) return { headers: new Map(), body: raw.subarray(2) };
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  const [at, gap] = crlf !== -1 && (lf === -1 || crlf < lf) ? [crlf, 4] : [lf, 2];
  if (at === -1) return { headers: parseHeaderBlock(raw.toString('latin1')), body: Buffer.alloc(0) };
  return { headers: parseHeaderBlock(raw.subarray(0, at).toString('latin1')), body: raw.subarray(at + gap) };
};

/** Bodies of a multipart entity, split on `--boundary` lines (RFC 2046 §5.1.1). */
const splitMultipart = (body: Buffer, boundary: string): Buffer[] => {
  const delimiter = `--${boundary}`;
  const parts: Buffer[] = [];
  let at = body.indexOf(delimiter);
  while (at !== -1 && parts.length < MAX_MIME_PARTS) {
    if (body.subarray(at + delimiter.length, at + delimiter.length + 2).toString('latin1') === '--') break;
    const lineEnd = body.indexOf('\n', at);
    if (lineEnd === -1) break;
    const next = body.indexOf(`\n${delimiter}`, lineEnd);
    if (next === -1) break;
    const end = body[next - 1] === 0x0d ? next - 1 : next;
    parts.push(body.subarray(lineEnd + 1, Math.max(lineEnd + 1, end)));
    at = next + 1;
  }
  return parts;
};

const decodeTransfer = (body: Buffer, encoding: string | undefined): Buffer => {
  switch (encoding?.trim().toLowerCase()) {
    case 'base64':
      return Buffer.from(body.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
    case 'quoted-printable':
      return decodeQuotedPrintable(body.toString('latin1'));
    default:
      return body;
  }
};

const HTML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** Tags out, common entities decoded: enough for a timeline snippet, not for rendering. */
const htmlToText = (html: string): string =>
  html
    .replace(/<(script|style|head)[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<br\s*\/?>|<\/(p|div|li|tr|h\d)>/gi, '\n')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, entity: string) => {
      if (entity[0] === '#') {
        const code =
          entity[1]?.toLowerCase() === 'x'
            ? Number.parseInt(entity.slice(2), 16)
            : Number.parseInt(entity.slice(1), 10);
        return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : ' ';
      }
      return HTML_ENTITIES[entity.toLowerCase()] ?? whole;
    });

interface FoundText {
  readonly plain?: string;
  readonly html?: string;
}

/** Depth-first search for the first text/plain (and, as a fallback, text/html) body. */
const findText = (part: MimePart, depth: number): FoundText => {
  const type = parseHeaderValue(part.headers.get('content-type') ?? 'text/plain');
  const disposition = parseHeaderValue(part.headers.get('content-disposition'));
  if (disposition.value === 'attachment') return {};
  if (type.value.startsWith('multipart/')) {
    const boundary = type.params.boundary;
    if (!boundary || depth >= MAX_MIME_DEPTH) return {};
    let html: string | undefined;
    for (const raw of splitMultipart(part.body, boundary)) {
      const found = findText(parsePart(raw), depth + 1);
      if (found.plain !== undefined) return found;
      html ??= found.html;
    }
    return { html };
  }
  if (type.value !== 'text/plain' && type.value !== 'text/html') return {};
  const text = decodeCharset(
    decodeTransfer(part.body, part.headers.get('content-transfer-encoding')),
    type.params.charset,
  );
  return type.value === 'text/plain' ? { plain: text } : { html: htmlToText(text) };
};

/**
 * The first ~200 characters of the readable text of a raw MIME message: the
 * first text/plain part (quoted-printable/base64 and the charset decoded),
 * else the first text/html part with tags removed. Undefined when there is
 * no text at all.
 */
export const mimeSnippet = (raw: Buffer, max = SNIPPET_CHARS): string | undefined => {
  const found = findText(parsePart(raw), 0);
  const text = (found.plain ?? found.html)?.replace(/\s+/g, ' ').trim();
  return text ? truncate(text, max) : undefined;
};

/** A snippet from an already decoded body (Mailgun's `stripped-text`). */
export const textSnippet = (text: string | undefined, max = SNIPPET_CHARS): string | undefined => {
  const clean = text?.replace(/\s+/g, ' ').trim();
  return clean ? truncate(clean, max) : undefined;
};

/** The timeline one-liner of a received email: `Subject — first words`. */
export const emailSummary = (subject: string | undefined, snippet: string | undefined): string => {
  const title = subject?.trim() || '(no subject)';
  return snippet ? `${title} — ${snippet}` : title;
};
