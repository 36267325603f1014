/**
 * Group commit for the local analytics lake. The profile writer records each
 * applied event's rows on its own, and every `record` is one DuckDB appender
 * flushed and committed synchronously on the main thread: measured under the
 * e2e benchmark's load, 2.8 ms of main-thread CPU per event (18 % of the
 * thread), nearly all of it the per-commit cost, not the rows. Here the rows of
 * the calls that arrive while a commit is running wait for the next one and
 * go in together, so a batch of records in flight costs one commit.
 *
 * Each caller still resolves only once its own rows are committed, and a
 * failed commit fails every caller whose rows it carried (their records are
 * retried by the queue, as before): batching changes the cost, not what an
 * acknowledgement of `record` means.
 */
import type { LakeRow } from '../../analytics/lake-schema.js';
import type { AnalyticsSink } from '../../ports.js';

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

/** An `AnalyticsSink` that commits the rows of concurrent `record` calls to `sink` together. */
export const groupCommitSink = (sink: AnalyticsSink): AnalyticsSink => {
  let queued: LakeRow[] = [];
  let waiters: Waiter[] = [];
  let committing = false;

  const commitAll = async (): Promise<void> => {
    while (queued.length) {
      const rows = queued;
      const done = waiters;
      queued = [];
      waiters = [];
      try {
        await sink.record(rows);
        for (const w of done) w.resolve();
      } catch (err) {
        for (const w of done) w.reject(err);
      }
    }
    committing = false;
  };

  return {
    record: (rows) => {
      if (rows.length === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        queued.push(...rows);
        waiters.push({ resolve, reject });
        // The first caller starts the commit after this turn of the event loop, so the records whose
        // responses arrived in the same turn join it; later ones wait for the next commit.
        if (!committing) {
          committing = true;
          setImmediate(() => void commitAll());
        }
      });
    },
  };
};
