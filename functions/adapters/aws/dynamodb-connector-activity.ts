/**
 * The last event per connector in the hub table (DynamoDB on AWS, DynamoDB
 * Local in `npm start`), for the console's connectors page.
 *
 * Items (pk / sk):  A#connectors / A#<connector>  { connector, receivedAt, occurredAt, type }
 *
 * One partition holds every connector (a few dozen tiny items), so the page
 * reads them with one Query. Writes are coalesced per process: the first
 * event of a connector is written at once, later ones at most once per
 * `minIntervalMs`, and a conditional update keeps the newest `receivedAt` when
 * several writers race — so a busy connector costs one write a minute per
 * running writer, not one per event, and the item is never a hot key.
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { HubEvent, HubEventType } from '../../events/hub-event.js';
import type { ConnectorActivity, ConnectorLastEvent } from '../../ports.js';

const PK = 'A#connectors';
const skOf = (connector: string): string => `A#${connector}`;

export interface DynamoConnectorActivityOptions {
  readonly tableName: string;
  /** Least time between two writes for one connector in this process. @default 60 000 (one minute) */
  readonly minIntervalMs?: number;
  /** Clock, injectable for tests. */
  readonly now?: () => number;
}

export class DynamoConnectorActivity implements ConnectorActivity {
  private readonly doc: DynamoDBDocumentClient;
  private readonly lastWrite = new Map<string, number>();

  constructor(
    client: DynamoDBClient,
    private readonly options: DynamoConnectorActivityOptions,
  ) {
    this.doc = DynamoDBDocumentClient.from(client);
  }

  async record(event: Pick<HubEvent, 'connector' | 'type' | 'receivedAt' | 'occurredAt'>): Promise<void> {
    const now = (this.options.now ?? Date.now)();
    const last = this.lastWrite.get(event.connector);
    if (last !== undefined && now - last < (this.options.minIntervalMs ?? 60_000)) return;
    this.lastWrite.set(event.connector, now);
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: { pk: PK, sk: skOf(event.connector) },
          UpdateExpression: 'SET connector = :c, receivedAt = :r, occurredAt = :o, #type = :t',
          // A replayed or late-processed older event never overwrites a newer one.
          ConditionExpression: 'attribute_not_exists(receivedAt) OR receivedAt < :r',
          ExpressionAttributeNames: { '#type': 'type' },
          ExpressionAttributeValues: {
            ':c': event.connector,
            ':r': event.receivedAt,
            ':o': event.occurredAt,
            ':t': event.type,
          },
        }),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return;
      // Let the next event try again rather than waiting out the interval.
      this.lastWrite.delete(event.connector);
      throw err;
    }
  }

  async lastEvents(): Promise<Record<string, ConnectorLastEvent>> {
    const out: Record<string, ConnectorLastEvent> = {};
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.options.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': PK },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        const connector = String(item.connector);
        out[connector] = {
          connector,
          receivedAt: String(item.receivedAt),
          occurredAt: String(item.occurredAt),
          type: item.type as HubEventType,
        };
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }
}
