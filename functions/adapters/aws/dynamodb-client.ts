/**
 * DynamoDB client settings shared by every store client (Lambda and local):
 * no call may hang. Without a request timeout a stalled store (a paused
 * DynamoDB Local, a black-holed connection) holds a consumer until the Lambda
 * times out, and the SDK's default only warns when a request overruns. With
 * these, a call fails within about `attempts × (connect + request timeout)`
 * with an error `isTransientStoreError` recognizes, and the queue retries
 * later without counting the receive.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';

export interface StoreTimeouts {
  /** Time to open a connection. */
  readonly connectionTimeoutMs: number;
  /** Time a request may take once sent (socket inactivity). */
  readonly requestTimeoutMs: number;
  /** Attempts per call, retries (with the SDK's backoff) included. */
  readonly maxAttempts: number;
}

/**
 * DynamoDB answers in milliseconds; 3 s is a stalled request, and 3 attempts
 * fit well inside a 30 s consumer timeout.
 */
export const AWS_STORE_TIMEOUTS: StoreTimeouts = {
  connectionTimeoutMs: 1_000,
  requestTimeoutMs: 3_000,
  maxAttempts: 3,
};

/** DynamoDB Local is a JVM on a shared laptop: GC pauses and a cold JIT get more slack. */
export const LOCAL_STORE_TIMEOUTS: StoreTimeouts = {
  connectionTimeoutMs: 1_000,
  requestTimeoutMs: 5_000,
  maxAttempts: 3,
};

/** Client config with the timeouts above (and any other settings). */
export const storeClientConfig = (
  timeouts: StoreTimeouts,
  config: Omit<DynamoDBClientConfig, 'requestHandler' | 'maxAttempts'> = {},
): DynamoDBClientConfig => ({
  ...config,
  maxAttempts: timeouts.maxAttempts,
  requestHandler: {
    connectionTimeout: timeouts.connectionTimeoutMs,
    requestTimeout: timeouts.requestTimeoutMs,
    throwOnRequestTimeout: true,
  },
});

/** A DynamoDB client for Lambda with the AWS timeouts. */
export const awsStoreClient = (): DynamoDBClient => new DynamoDBClient(storeClientConfig(AWS_STORE_TIMEOUTS));
