/** The subscriptions of `subscriptions.config.ts`, for the commands that name one. */
import type { Subscription } from '../../functions/subscriptions/config.js';
import { validateSubscriptions } from '../../functions/subscriptions/validate.js';
import { type CliContext, UsageError } from '../cli.js';

/** Imports the config and checks it, patterns included; a broken config is a usage error with its message. */
export const loadSubscriptions = async (ctx: Pick<CliContext, 'subscriptions'>): Promise<readonly Subscription[]> => {
  try {
    return validateSubscriptions(ctx.subscriptions ?? (await import('../../subscriptions.config.js')).subscriptions);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
};

/** The subscription called `name`, or a usage error listing the ones there are. */
export const requireSubscription = async (
  ctx: Pick<CliContext, 'subscriptions'>,
  name: string | undefined,
  help: string,
): Promise<Subscription> => {
  if (!name) throw new UsageError('Missing the subscription name', help);
  const subscriptions = await loadSubscriptions(ctx);
  const found = subscriptions.find((s) => s.name === name);
  if (!found)
    throw new UsageError(
      `No subscription named "${name}" in subscriptions.config.ts (have: ${subscriptions.map((s) => s.name).join(', ') || 'none'})`,
    );
  return found;
};
