import { describe, expect, it } from 'vitest';
import type { LakeRow } from '../../../functions/analytics/lake-schema.js';
import type { AnalyticsSink } from '../../../functions/ports.js';
import { groupCommitSink } from '../../../functions/runtime/local/group-commit-sink.js';

const row = (id: string) => ({ id }) as unknown as LakeRow;

/** A sink that records each commit and resolves it when told to. */
const recordingSink = () => {
  const commits: { rows: string[]; finish: (err?: Error) => void }[] = [];
  const sink: AnalyticsSink = {
    record: (rows) =>
      new Promise<void>((resolve, reject) => {
        commits.push({
          rows: rows.map((r) => (r as unknown as { id: string }).id),
          finish: (err) => (err ? reject(err) : resolve()),
        });
      }),
  };
  return { sink, commits };
};

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('groupCommitSink', () => {
  it('commits the rows of calls made in the same turn together, in call order', async () => {
    const { sink, commits } = recordingSink();
    const grouped = groupCommitSink(sink);
    const done: string[] = [];
    const a = grouped.record([row('a1'), row('a2')]).then(() => done.push('a'));
    const b = grouped.record([row('b1')]).then(() => done.push('b'));
    await tick();
    expect(commits.map((c) => c.rows)).toEqual([['a1', 'a2', 'b1']]);
    expect(done).toEqual([]);
    commits[0]?.finish();
    await Promise.all([a, b]);
    expect(done).toEqual(['a', 'b']);
  });

  it('resolves no caller before its own rows are committed; calls during a commit wait for the next one', async () => {
    const { sink, commits } = recordingSink();
    const grouped = groupCommitSink(sink);
    let firstDone = false;
    let secondDone = false;
    const first = grouped.record([row('x')]).then(() => {
      firstDone = true;
    });
    await tick();
    const second = grouped.record([row('y')]).then(() => {
      secondDone = true;
    });
    await tick();
    expect(commits.map((c) => c.rows)).toEqual([['x']]);
    commits[0]?.finish();
    await first;
    expect(firstDone).toBe(true);
    await tick();
    expect(secondDone).toBe(false);
    expect(commits.map((c) => c.rows)).toEqual([['x'], ['y']]);
    commits[1]?.finish();
    await second;
    expect(secondDone).toBe(true);
  });

  it('fails every caller whose rows a failed commit carried, and only those', async () => {
    const { sink, commits } = recordingSink();
    const grouped = groupCommitSink(sink);
    const a = grouped.record([row('a')]);
    const b = grouped.record([row('b')]);
    await tick();
    const c = grouped.record([row('c')]);
    commits[0]?.finish(new Error('disk full'));
    await expect(a).rejects.toThrow('disk full');
    await expect(b).rejects.toThrow('disk full');
    await tick();
    expect(commits[1]?.rows).toEqual(['c']);
    commits[1]?.finish();
    await expect(c).resolves.toBeUndefined();
  });

  it('commits nothing for an empty record', async () => {
    const { sink, commits } = recordingSink();
    await groupCommitSink(sink).record([]);
    await tick();
    expect(commits).toEqual([]);
  });
});
