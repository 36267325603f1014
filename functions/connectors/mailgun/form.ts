/**
 * Mailgun's request bodies: a route `forward()` posts
 * `application/x-www-form-urlencoded`, or `multipart/form-data` when the
 * mail has attachments; event webhooks post JSON. This file reads the text
 * fields of either form encoding (file parts are counted, not kept) and
 * rewrites the signature fields for `signSample`. Synchronous, because
 * `parse` is; a small parser over the raw bytes instead of a dependency.
 */
import { ValidationError } from '../../shared/errors.js';

export type MailgunBodyKind = 'json' | 'urlencoded' | 'multipart';

/** Parts accepted in one multipart body (a mail with hundreds of attachments is refused as malformed). */
const MAX_PARTS = 500;

interface HeaderParams {
  readonly value: string;
  readonly params: Readonly<Record<string, string>>;
}

/** `form-data; name="a"; filename="b"` → value and parameters (quoted strings unescaped). */
const headerParams = (raw: string | undefined): HeaderParams => {
  const params: Record<string, string> = {};
  const text = raw ?? '';
  const semicolon = text.indexOf(';');
  const value = (semicolon === -1 ? text : text.slice(0, semicolon)).trim().toLowerCase();
  const pattern = /;\s*([^\s=;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  for (const match of text.matchAll(pattern)) {
    const name = (match[1] as string).toLowerCase();
    if (!(name in params))
      params[name] = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : (match[3] ?? '').trim();
  }
  return { value, params };
};

/** Which decoder a body needs, from its Content-Type (sniffed when the header is absent). */
export const mailgunBodyKind = (contentType: string | undefined, body: Buffer): MailgunBodyKind => {
  const type = headerParams(contentType).value;
  if (type === 'application/json' || type.endsWith('+json')) return 'json';
  if (type === 'multipart/form-data') return 'multipart';
  if (type === 'application/x-www-form-urlencoded') return 'urlencoded';
  return body.subarray(0, 1).toString() === '{' ? 'json' : 'urlencoded';
};

/** The multipart boundary of a Content-Type; throws `ValidationError` without one. */
const multipartBoundary = (contentType: string | undefined): string => {
  const boundary = headerParams(contentType).params.boundary;
  if (!boundary || boundary.length > 200) throw new ValidationError('multipart/form-data without a usable boundary');
  return boundary;
};

export interface FormPart {
  /** Raw header block of the part, kept byte for byte when a body is rewritten. */
  readonly head: Buffer;
  readonly name?: string;
  readonly filename?: string;
  readonly content: Buffer;
}

/** Splits a multipart/form-data body into parts (RFC 7578); throws `ValidationError` when it is not one. */
export const splitFormParts = (body: Buffer, boundary: string): FormPart[] => {
  const delimiter = `--${boundary}`;
  const parts: FormPart[] = [];
  let at = body.indexOf(delimiter);
  if (at === -1) throw new ValidationError('The multipart body does not contain its boundary');
  for (;;) {
    const afterDelimiter = at + delimiter.length;
    if (body.subarray(afterDelimiter, afterDelimiter + 2).toString('latin1') === '--') return parts;
    const lineEnd = body.indexOf('\n', afterDelimiter);
    if (lineEnd === -1) throw new ValidationError('The multipart body ends inside a boundary line');
    const next = body.indexOf(`\n${delimiter}`, lineEnd);
    if (next === -1) throw new ValidationError('The multipart body has no closing boundary');
    const end = body[next - 1] === 0x0d ? next - 1 : next;
    const raw = body.subarray(lineEnd + 1, Math.max(lineEnd + 1, end));
    const crlf = raw.indexOf('\r\n\r\n');
    const lf = raw.indexOf('\n\n');
    const [split, gap] = crlf !== -1 && (lf === -1 || crlf < lf) ? [crlf, 4] : [lf, 2];
    if (split === -1) throw new ValidationError('A multipart part has no header/body separator');
    const head = raw.subarray(0, split);
    const disposition = /^content-disposition:(.*)$/im.exec(head.toString('utf8'))?.[1];
    const { params } = headerParams(disposition);
    parts.push({ head, name: params.name, filename: params.filename, content: raw.subarray(split + gap) });
    if (parts.length > MAX_PARTS) throw new ValidationError(`The multipart body has more than ${MAX_PARTS} parts`);
    at = next + 1;
  }
};

export interface FormFields {
  /** First value of every text field, by name. */
  readonly fields: Record<string, string>;
  /** Number of file parts (attachments) seen and skipped. */
  readonly files: number;
}

/** Text fields of a form body, urlencoded or multipart. */
export const readFormFields = (body: Buffer, contentType: string | undefined): FormFields => {
  const fields: Record<string, string> = {};
  if (mailgunBodyKind(contentType, body) !== 'multipart') {
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) if (!(k in fields)) fields[k] = v;
    return { fields, files: 0 };
  }
  let files = 0;
  for (const part of splitFormParts(body, multipartBoundary(contentType))) {
    if (part.filename !== undefined) files++;
    else if (part.name !== undefined && !(part.name in fields)) fields[part.name] = part.content.toString('utf8');
  }
  return { fields, files };
};

/**
 * The same form with `replace` fields set: urlencoded fields are replaced
 * in place, multipart parts with those names are dropped and re-added at
 * the end with the same boundary. Used by `signSample` only.
 */
export const withFormFields = (
  body: Buffer,
  contentType: string | undefined,
  replace: Readonly<Record<string, string>>,
): Buffer => {
  if (mailgunBodyKind(contentType, body) !== 'multipart') {
    const params = new URLSearchParams(body.toString('utf8'));
    for (const [k, v] of Object.entries(replace)) params.set(k, v);
    return Buffer.from(params.toString());
  }
  const boundary = multipartBoundary(contentType);
  const kept = splitFormParts(body, boundary).filter((p) => p.name === undefined || !(p.name in replace));
  const chunks: Buffer[] = [];
  for (const part of kept)
    chunks.push(
      Buffer.from(`--${boundary}\r\n`),
      part.head,
      Buffer.from('\r\n\r\n'),
      part.content,
      Buffer.from('\r\n'),
    );
  for (const [k, v] of Object.entries(replace)) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
};
