/**
 * A lock shared by the threads of `npm start` (a `SharedArrayBuffer` crosses
 * into the HTTP front's worker): the front appends `send` records to the
 * queue journals while the main thread may be rewriting one (an erasure's
 * scrub). An append made between the rewrite's read and its rename would go
 * to the replaced file and be lost; with the lock, an append waits for the
 * rewrite (a few milliseconds, rare) and then reopens the new file.
 */

/** Slot 0: held (1) or free (0); slot 1: rewrites so far (appenders reopen when it moved). */
const HELD = 0;
const GENERATION = 1;

export class JournalLock {
  private readonly cells: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(8)) {
    this.cells = new Int32Array(buffer);
  }

  /** Runs `fn` holding the lock (synchronous: nothing awaits while it is held). */
  run<T>(fn: () => T): T {
    while (Atomics.compareExchange(this.cells, HELD, 0, 1) !== 0) Atomics.wait(this.cells, HELD, 1, 5);
    try {
      return fn();
    } finally {
      Atomics.store(this.cells, HELD, 0);
      Atomics.notify(this.cells, HELD);
    }
  }

  /** Rewrites so far: an appender whose handle predates the latest one reopens the file. */
  generation(): number {
    return Atomics.load(this.cells, GENERATION);
  }

  /** Called by a rewrite, inside `run`, after the rename. */
  bump(): void {
    Atomics.add(this.cells, GENERATION, 1);
  }
}
