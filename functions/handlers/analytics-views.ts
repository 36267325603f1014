/**
 * The CloudFormation custom resource that creates the analytics views in
 * Athena: on create and update it runs every `CREATE OR REPLACE VIEW` of
 * `analytics/views` in order (each reads the ones before it), waiting for
 * each; on delete it drops them in reverse. It answers CloudFormation itself
 * (a PUT of the result to the pre-signed `ResponseURL`), so no provider
 * framework function is needed.
 */
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { VIEWS } from '../analytics/sql.generated.js';
import { logger } from '../shared/logger.js';

export interface AnalyticsViewsDeps {
  /** Runs one statement in the analytics workgroup and database, to completion. */
  readonly execute: (sql: string) => Promise<void>;
  /** HTTP client for the response to CloudFormation. @default fetch */
  readonly fetch?: typeof fetch;
}

const PHYSICAL_ID = 'omnihub-analytics-views';

export const createAnalyticsViewsHandler =
  (deps: AnalyticsViewsDeps) => async (event: CloudFormationCustomResourceEvent) => {
    let status: 'SUCCESS' | 'FAILED' = 'SUCCESS';
    let reason = 'OK';
    try {
      if (event.RequestType === 'Delete') {
        // Best effort: a view that is already gone is not a failed delete.
        for (const view of [...VIEWS].reverse())
          await deps.execute(`DROP VIEW IF EXISTS ${view.name}`).catch(() => undefined);
      } else {
        for (const view of VIEWS) await deps.execute(view.sql);
      }
    } catch (err) {
      status = 'FAILED';
      reason = (err as Error).message.slice(0, 500);
      logger.error('analytics views failed', { requestType: event.RequestType, reason });
    }
    const res = await (deps.fetch ?? fetch)(event.ResponseURL, {
      method: 'PUT',
      // The pre-signed URL is signed without a content type.
      headers: { 'content-type': '' },
      body: JSON.stringify({
        Status: status,
        Reason: reason,
        PhysicalResourceId: PHYSICAL_ID,
        StackId: event.StackId,
        RequestId: event.RequestId,
        LogicalResourceId: event.LogicalResourceId,
        Data: { Views: VIEWS.map((v) => v.name).join(',') },
      }),
    });
    if (!res.ok) throw new Error(`CloudFormation refused the custom resource response: ${res.status}`);
  };
