/**
 * One Powertools logger for every function. Log calls pass ids and counts,
 * never phone numbers, emails or message text (see the README's privacy
 * section).
 */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: 'omnihub' });
