/**
 * The complete check of `automations.config.ts`, event patterns included,
 * for `npm start`, `cdk synth` and the CLI (kept apart from ./config.ts, as
 * for subscriptions, so code that only reads the config does not bundle it).
 */
import { validatePattern } from '../events/pattern-matcher.js';
import { parseAutomations } from './config.js';
import type { AutomationsFile } from './schema.js';

/** Schema and patterns; throws an `AutomationConfigError` naming every bad field. */
export const validateAutomations = (input: unknown): AutomationsFile => parseAutomations(input, { validatePattern });
