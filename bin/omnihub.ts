/**
 * `omnihub`: the command line of the hub (docs/cli.md). Each command is a
 * file in bin/commands/; this only hands the arguments to the dispatcher.
 */
import { COMMANDS } from './commands/index.js';
import { runCli } from './dispatch.js';

process.exitCode = await runCli(process.argv.slice(2), COMMANDS, {
  io: { out: (line) => console.log(line), err: (line) => console.error(line) },
  env: process.env,
});
