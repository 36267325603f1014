/**
 * Signature primitives shared by connectors. Every comparison is constant
 * time over fixed-length digests, so neither content nor length leaks.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Constant-time string equality; false for missing input (fail closed). */
export const safeEqual = (a: string | undefined, b: string | undefined): boolean => {
  if (a === undefined || b === undefined || a.length === 0 || b.length === 0) return false;
  // Hash both sides so timingSafeEqual always sees equal lengths.
  const da = createHash('sha256').update(a, 'utf8').digest();
  const db = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(da, db);
};

export const hmac = (
  algorithm: 'sha1' | 'sha256' | 'sha512',
  key: string,
  data: Buffer | string,
  encoding: 'hex' | 'base64',
): string => createHmac(algorithm, key).update(data).digest(encoding);

/** Strips a `sha256=`-style prefix; undefined when the header lacks it. */
export const stripPrefix = (value: string | undefined, prefix: string): string | undefined =>
  value?.startsWith(prefix) ? value.slice(prefix.length) : undefined;

/** True when `timestampSec` is within `toleranceSec` of `now` (either side). */
export const withinWindow = (timestampSec: number, now: Date, toleranceSec: number): boolean =>
  Number.isFinite(timestampSec) && Math.abs(now.getTime() / 1000 - timestampSec) <= toleranceSec;
