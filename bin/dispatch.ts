/**
 * The dispatcher: finds the command whose words start the argument list
 * (longest match), answers `--help` for it, runs it, and turns whatever it
 * throws into a message on stderr and the exit code of `EXIT`.
 */
import { CliError, type CliContext, type Command, EXIT, type ExitCode } from './cli.js';

const HELP_FLAGS = new Set(['-h', '--help']);

/** The top-level help, listing every command by its words and summary. */
const mainHelp = (commands: readonly Command[]): string => {
  const width = Math.max(...commands.map((c) => c.words.join(' ').length));
  return `omnihub — the Omnihub command line

Usage: omnihub <command> [options]

Commands:
${commands.map((c) => `  ${c.words.join(' ').padEnd(width)}  ${c.summary}`).join('\n')}

Run "omnihub <command> --help" for a command's options. Docs: docs/cli.md
Exit codes: 0 done, 1 failed, 2 usage or configuration error, 3 hub unreachable, 4 credentials refused.`;
};

const startsWith = (argv: readonly string[], words: readonly string[]): boolean =>
  words.every((word, i) => argv[i] === word);

/** Runs the command `argv` names; returns its exit code (never throws). */
export const runCli = async (
  argv: readonly string[],
  commands: readonly Command[],
  ctx: CliContext,
): Promise<ExitCode> => {
  const [first] = argv;
  if (first === undefined || first === 'help' || HELP_FLAGS.has(first)) {
    ctx.io.out(mainHelp(commands));
    return first === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = commands.filter((c) => startsWith(argv, c.words)).sort((a, b) => b.words.length - a.words.length)[0];
  if (!command) {
    // `omnihub subscriptions` alone, or with an unknown second word: list that group.
    const group = commands.filter((c) => c.words[0] === first);
    if (group.length > 0) {
      const helpAsked = argv.slice(1).some((a) => HELP_FLAGS.has(a));
      const list = group.map((c) => `  omnihub ${c.words.join(' ')}  ${c.summary}`).join('\n');
      if (helpAsked) {
        ctx.io.out(`omnihub ${first} commands:\n${list}`);
        return EXIT.ok;
      }
      ctx.io.err(`omnihub: unknown ${first} command "${argv[1] ?? ''}"; one of:\n${list}`);
      return EXIT.usage;
    }
    ctx.io.err(`omnihub: unknown command "${first}"\n\n${mainHelp(commands)}`);
    return EXIT.usage;
  }
  const args = argv.slice(command.words.length);
  if (args.some((a) => HELP_FLAGS.has(a))) {
    ctx.io.out(command.help);
    return EXIT.ok;
  }
  try {
    return await command.run(args, ctx);
  } catch (err) {
    if (err instanceof CliError) {
      ctx.io.err(`omnihub: ${err.message}${err.help ? `\n\n${err.help}` : ''}`);
      return err.exitCode;
    }
    ctx.io.err(`omnihub: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
    return EXIT.failed;
  }
};
