/** `--aws`: the stage's subscription operations, loading the AWS SDK only when a command is asked to act on AWS. */
import type { AwsSubscriptionOperations } from '../../functions/adapters/aws/aws-subscription-operations.js';
import type { CliContext } from '../cli.js';

/** `--stage` defaults to `dev`, as `cdk deploy` does. */
export const onAws = async (
  stage: string | undefined,
  ctx: Pick<CliContext, 'subscriptions'>,
): Promise<AwsSubscriptionOperations> =>
  (await import('./aws-subscriptions.js')).awsSubscriptionOperations(stage ?? 'dev', ctx);
