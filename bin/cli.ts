/**
 * The command kit of `omnihub`: what a command is, the errors that end one
 * (each with its exit code), option parsing with the options every command
 * shares, and the output channel. A command file under `bin/commands/`
 * exports one `Command`; `bin/commands/index.ts` lists them; `runCli`
 * (bin/dispatch.ts) picks one by its words.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { HubError } from '../functions/shared/errors.js';
import type { SubscriptionInput } from '../functions/subscriptions/config.js';
import type { AutomationsFileInput } from '../functions/automations/config.js';

/** The repository root: fixtures, `subscriptions.config.ts` and `.omnihub/` are found from here. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Exit codes, the same for every command, so scripts can branch on them:
 * - 0: done (for a check: it passed);
 * - 1: the command ran and failed (the hub refused it, a check did not pass);
 * - 2: usage or configuration error (bad arguments, no token, unknown name);
 * - 3: the hub could not be reached (not running, wrong `--url`, timeout);
 * - 4: the hub refused the credentials (HTTP 401/403: wrong token or too little access).
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3, unauthorized: 4 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Ends a command with a message on stderr and an exit code. */
export class CliError extends HubError {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    code: string,
    options?: { cause?: unknown; help?: string },
  ) {
    super(message, exitCode === EXIT.usage ? 400 : 500, code, options);
    this.help = options?.help;
  }
  /** Printed after the message (the command's usage) when set. */
  readonly help: string | undefined;
}

/** A mistake of the caller: exit code 2, with the command's help when it helps. */
export class UsageError extends CliError {
  constructor(message: string, help?: string) {
    super(message, EXIT.usage, 'usage', help === undefined ? {} : { help });
  }
}

/** The command ran and failed (the hub said no, a check did not pass): exit code 1. */
export class CommandFailedError extends CliError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, EXIT.failed, 'failed', options);
  }
}

/** Where a command writes: stdout for results, stderr for diagnostics. Tests capture both. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

/** What a command gets besides its arguments; injected so tests need no global state. */
export interface CliContext {
  readonly io: CliIo;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The HTTP client for the hub. @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Repository root. @default REPO_ROOT */
  readonly root?: string;
  /** The subscriptions to act on. @default those of subscriptions.config.ts */
  readonly subscriptions?: readonly SubscriptionInput[];
  /** The automations to act on. @default those of automations.config.ts */
  readonly automations?: AutomationsFileInput;
}

/** One command: its words (`['subscriptions', 'list']`), a one-line summary, its help, and what it does. */
export interface Command {
  readonly words: readonly string[];
  readonly summary: string;
  /** Full help, starting with the usage line. */
  readonly help: string;
  /** Returns the exit code; throws a `CliError` to stop with a message. */
  run(args: string[], ctx: CliContext): Promise<ExitCode>;
}

/** Options every command accepts (not every command uses all of them). */
const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  url: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  aws: { type: 'boolean' },
  stage: { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** Help text of the options shared by every command that talks to a hub. */
export const TARGET_HELP = `Target:
  --url <url>      a running hub (default http://localhost:$PORT, else :3000; or $OMNIHUB_URL)
  --token <token>  its API token (default $OMNIHUB_API_TOKEN, else <data dir>/api-token)
  --json           print the hub's answer as JSON`;

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses a command's arguments (strict: an unknown option is a usage error naming it). */
export const parseCommandArgs = <O extends Options>(args: string[], options: O, help: string) => {
  try {
    return parseArgs({ args, options: { ...COMMON_OPTIONS, ...options }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err), help);
  }
};

/** Prints `value` as JSON with `--json`, else the human text. */
export const printResult = (ctx: CliContext, json: boolean | undefined, value: unknown, text: string): void =>
  ctx.io.out(json ? JSON.stringify(value, null, 2) : text);
