/**
 * Files of the local data folder. They hold what vendors sent (names,
 * phone numbers, message text) and secrets, so they are private to the user
 * who runs the hub: folders 0700, files 0600, whatever the umask — and a file
 * left with wider modes by an older version is narrowed when it is opened.
 *
 * Durability: a write returns once the kernel has the bytes, which survives
 * the process dying (SIGKILL, a crash). It survives a power loss or kernel
 * crash only with `fsync` (each append is flushed to the disk before the call
 * returns, so before the webhook is acknowledged); without it the last few
 * seconds of writes (the kernel's writeback interval, ~5–30 s) can be lost.
 */
import {
  chmodSync,
  closeSync,
  existsSync,
  fchmodSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';

const PRIVATE_DIR_MODE = 0o700;
const PRIVATE_FILE_MODE = 0o600;

/** Creates the folder (and its parents) private to the user; narrows an existing one. */
export const ensurePrivateDir = (path: string): void => {
  mkdirSync(path, { recursive: true, mode: PRIVATE_DIR_MODE });
  chmodSync(path, PRIVATE_DIR_MODE);
};

/** One `write` normally; loops only if the kernel takes part of it (a full disk, then it throws). */
const writeAll = (fd: number, text: string): void => {
  const bytes = Buffer.from(text);
  let offset = 0;
  while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
};

/** Flushes a folder's entries (a rename is durable only once its folder is). */
const fsyncDir = (path: string): void => {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
};

/**
 * Replaces a file's content atomically: the new content goes to a temporary
 * file beside it, which is renamed over the old one, so a crash at any point
 * leaves either the old file or the new one, never a truncated mix.
 */
export const writePrivateFileAtomic = (path: string, content: string, options: { fsync?: boolean } = {}): void => {
  mkdirSync(dirname(path), { recursive: true, mode: PRIVATE_DIR_MODE });
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w', PRIVATE_FILE_MODE);
  try {
    fchmodSync(fd, PRIVATE_FILE_MODE);
    writeAll(fd, content);
    if (options.fsync) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  if (options.fsync) fsyncDir(dirname(path));
};

/**
 * An append-only file kept open (one `write` per append, mode 0600), with an
 * optional fsync after every append. Appends from several threads of one
 * process are safe: the file is opened with O_APPEND, and every append is a
 * single `write` of whole lines.
 */
export class PrivateAppendFile {
  private fd: number | undefined;

  constructor(
    readonly path: string,
    private readonly options: { fsync?: boolean } = {},
  ) {}

  append(text: string): void {
    if (this.fd === undefined) {
      const created = !existsSync(this.path);
      mkdirSync(dirname(this.path), { recursive: true, mode: PRIVATE_DIR_MODE });
      this.fd = openSync(this.path, 'a', PRIVATE_FILE_MODE);
      fchmodSync(this.fd, PRIVATE_FILE_MODE);
      if (created && this.options.fsync) fsyncDir(dirname(this.path));
    }
    writeAll(this.fd, text);
    if (this.options.fsync) fsyncSync(this.fd);
  }

  /** Closes the file; the next append reopens it (after a rename replaced it, for instance). */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
