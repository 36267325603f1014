/**
 * Every `omnihub` command, in the order `omnihub --help` lists them. Adding a
 * command is one file in this folder exporting a `Command` and one line here
 * (docs/cli.md).
 */
import type { Command } from '../cli.js';
import { automationsListCommand, automationsTestCommand } from './automations.js';
import { dlqListCommand } from './dlq-list.js';
import { dlqRedriveCommand } from './dlq-redrive.js';
import { importCommand } from './import.js';
import { metricsCommand } from './metrics.js';
import { messageCommand } from './message.js';
import { reachCommand } from './reach.js';
import { replayCommand } from './replay.js';
import { sendCommand } from './send.js';
import { subscriptionsListCommand } from './subscriptions-list.js';
import { subscriptionsTestCommand } from './subscriptions-test.js';

export const COMMANDS: readonly Command[] = [
  subscriptionsListCommand,
  subscriptionsTestCommand,
  replayCommand,
  dlqListCommand,
  dlqRedriveCommand,
  sendCommand,
  metricsCommand,
  messageCommand,
  reachCommand,
  automationsListCommand,
  automationsTestCommand,
  importCommand,
];
