/**
 * The outbound side of the local hub: the message store on DynamoDB Local,
 * the settings (a channel sends when its connector's credentials are in the
 * environment, or as `OMNIHUB_OUTBOUND_CONNECTORS` says), SES through the
 * SDK pointed at `OMNIHUB_API_BASE_URL_SES` when set, the journaled
 * scheduler, and the sender and message-status handlers the rule queues call.
 */
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { DynamoMessageStore } from '../../adapters/aws/dynamodb-message-store.js';
import { SesV2EmailTransport } from '../../adapters/aws/sesv2-email-transport.js';
import { LocalMessageScheduler } from '../../adapters/local/local-message-scheduler.js';
import type { LocalQueue } from '../../adapters/local/local-queue.js';
import { listSenders } from '../../connectors/senders.js';
import { secretEnvName } from '../../connectors/shared/secret-env.js';
import type { CountryCode } from '../../domain/identity.js';
import { createMessageStatusHandler } from '../../handlers/message-status.js';
import { createSenderHandler } from '../../handlers/sender.js';
import { outboundSettingsOf, type OutboundConfig, type OutboundSettings } from '../../outbound/settings.js';
import type { EventPublisher, ProfileStore, SecretStore } from '../../ports.js';

export interface LocalOutboundOptions {
  readonly dynamoClient: DynamoDBClient;
  readonly tableName: string;
  readonly env: NodeJS.ProcessEnv;
  /** The vendors' HTTP client: the local hub's outbound guard (`OMNIHUB_ALLOW_LOCAL_URLS`). */
  readonly fetch: typeof fetch;
  /** The outbound variables of the local hub's configuration. */
  readonly config: OutboundConfig;
  readonly secrets: SecretStore;
  readonly store: ProfileStore;
  readonly publisher: EventPublisher;
  readonly defaultCountry: CountryCode;
  readonly publicBaseUrl?: string;
  readonly dataDir?: string;
  readonly now?: () => Date;
}

export interface LocalOutbound {
  readonly messages: DynamoMessageStore;
  readonly settings: OutboundSettings;
  readonly scheduler: LocalMessageScheduler;
  sender(event: SQSEvent, context: Context): Promise<SQSBatchResponse | undefined>;
  messageStatus(event: SQSEvent, context: Context): Promise<SQSBatchResponse | undefined>;
  /** Gives the scheduler the sender rule's queue (created with the other rule queues). */
  attachSenderQueue(queue: LocalQueue): void;
  stop(): void;
}

/**
 * The local hub's outbound settings. Without `OMNIHUB_OUTBOUND_CONNECTORS`:
 * every sender whose credentials and identity are in the environment. The
 * HTTP front's thread computes them the same way (they hold functions, which
 * cannot cross a thread).
 */
export const localOutboundSettings = async (
  config: OutboundConfig,
  secrets: SecretStore,
): Promise<OutboundSettings> => {
  const configured: string[] = [];
  for (const sender of listSenders()) {
    if (!sender.missingConfiguration(await secrets.get(sender.connector))) configured.push(sender.connector);
  }
  return outboundSettingsOf(config, 'local-hub', configured);
};

export const startLocalOutbound = async (options: LocalOutboundOptions): Promise<LocalOutbound> => {
  const { env } = options;
  const settings = await localOutboundSettings(options.config, options.secrets);
  const messages = new DynamoMessageStore(options.dynamoClient, {
    tableName: options.tableName,
    retentionDays: settings.retentionDays,
  });
  let senderQueue: LocalQueue | undefined;
  const pendingBodies: string[] = [];
  const scheduler = new LocalMessageScheduler({
    send: (body) => (senderQueue ? senderQueue.send(body) : pendingBodies.push(body)),
    ...(options.now ? { now: options.now } : {}),
    ...(options.dataDir ? { journalPath: join(options.dataDir, 'scheduled-messages.json') } : {}),
  });
  const sesEndpoint = env[secretEnvName('API_BASE_URL', 'ses')];
  const email = new SesV2EmailTransport(
    sesEndpoint
      ? {
          endpoint: sesEndpoint,
          region: env.AWS_REGION || 'us-east-1',
          // A local fake SES checks the SigV4 shape only.
          credentials: {
            accessKeyId: env.AWS_ACCESS_KEY_ID || 'local',
            secretAccessKey: env.AWS_SECRET_ACCESS_KEY || 'local',
          },
        }
      : {},
  );
  const sender = createSenderHandler({
    messages,
    profiles: options.store,
    publisher: options.publisher,
    scheduler,
    secrets: options.secrets,
    settings,
    defaultCountry: options.defaultCountry,
    email,
    fetch: options.fetch,
    ...(options.publicBaseUrl ? { publicBaseUrl: options.publicBaseUrl } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const messageStatus = createMessageStatusHandler({
    messages,
    profiles: options.store,
    publisher: options.publisher,
    ...(options.now ? { now: options.now } : {}),
  });
  return {
    messages,
    settings,
    scheduler,
    sender: async (event, context) => (await sender(event, context)) ?? undefined,
    messageStatus: async (event, context) => (await messageStatus(event, context)) ?? undefined,
    attachSenderQueue: (queue) => {
      senderQueue = queue;
      for (const body of pendingBodies.splice(0)) queue.send(body);
    },
    stop: () => {
      scheduler.stop();
      email.destroy();
    },
  };
};
