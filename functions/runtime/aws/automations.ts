/**
 * Lambda entry: SQS batches of hub events (the `automations` rule) and of the
 * runner's timers coming due → the automation runner; configuration
 * `FUNCTION_CONFIGS.automations`, automations from `automations.config.ts`
 * (bundled; validated at `cdk synth`).
 */
import { automations } from '../../../automations.config.js';
import { clocksOf, reactionsOf } from '../../automations/reactions.js';
import type { CountryCode } from '../../domain/identity.js';
import { createAutomationsHandler } from '../../handlers/automations.js';
import { outboundSettingsOf } from '../../outbound/settings.js';
import { FUNCTION_CONFIGS, readFunctionConfig } from '../../shared/config.js';
import { awsPublisher } from './deps/bus.js';
import { awsAutomationTimers, awsMessageStore } from './deps/outbound.js';
import { awsProfileStore } from './deps/store.js';

const config = readFunctionConfig(FUNCTION_CONFIGS.automations);
const timeBased = {
  abandonedCartHours: config.abandonedCartHours,
  leadUnansweredMinutes: config.leadUnansweredMinutes,
  inactiveDays: config.inactiveDays,
  birthdayTime: config.birthdayTime,
  birthdayTrait: config.birthdayTrait,
};

export const handler = createAutomationsHandler({
  store: awsProfileStore(config),
  messages: awsMessageStore(config),
  publisher: awsPublisher(config.eventBusName),
  timers: awsAutomationTimers(config),
  settings: outboundSettingsOf(config, 'automations'),
  defaultCountry: config.defaultCountry as CountryCode,
  reactions: reactionsOf(automations, timeBased),
  clocks: clocksOf(timeBased),
  ...(automations.marketingCap ? { marketingCap: automations.marketingCap } : {}),
  now: () => new Date(),
});
