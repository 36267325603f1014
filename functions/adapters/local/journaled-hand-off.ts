/**
 * A route target in the HTTP front's thread (`npm start` runs the front in a
 * worker thread, the queues and consumers in the main thread): the message's
 * `send` record is appended to the queue's own journal — so the message is
 * durable before the webhook is acknowledged, whatever the main thread is
 * busy with — and then handed to the queue in the main thread, which
 * delivers it (`LocalQueue.adopt`). If the process dies between the two, the
 * journal has it and the next start delivers it.
 */
import { randomUUID } from 'node:crypto';
import type { QueueSink } from './local-event-bus.js';
import { QueueJournal } from './queue-journal.js';

/** What crosses the thread boundary: one message for one route's queue. */
export interface HandedOffMessage {
  readonly route: string;
  readonly messageId: string;
  readonly body: string;
  readonly sentAt: number;
}

export class JournaledHandOff implements QueueSink {
  private readonly journal: QueueJournal;

  constructor(
    readonly route: string,
    journalPath: string | undefined,
    options: { readonly fsync: boolean },
    private readonly handOff: (message: HandedOffMessage) => void,
  ) {
    // Append only: the main thread compacted the journal before this thread started.
    this.journal = new QueueJournal(journalPath, options);
  }

  send(body: string): string {
    const message: HandedOffMessage = { route: this.route, messageId: randomUUID(), body, sentAt: Date.now() };
    this.journal.append({ op: 'send', id: message.messageId, body, at: message.sentAt });
    this.handOff(message);
    return message.messageId;
  }

  close(): void {
    this.journal.close();
  }
}
