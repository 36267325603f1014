/**
 * `HubEventBus`: the custom EventBridge bus every connector publishes to,
 * with an archive of everything the hub emits so events can be replayed
 * (rebuilding the customer view after a projector bug, backfilling a new
 * subscriber).
 */
import { Duration } from 'aws-cdk-lib';
import { type Archive, EventBus, type EventPattern as CdkEventPattern, type IEventBus } from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import type { EventPattern } from '../../functions/events/rules.js';

/**
 * Hands a hub pattern to CDK unchanged. CDK only renames `detailType`, so the
 * raw EventBridge keys (`detail-type`, `{ prefix }` matchers) reach the
 * template exactly as written in `functions/events/rules.ts`.
 */
export const toCdkPattern = (pattern: EventPattern): CdkEventPattern => pattern as CdkEventPattern;

export interface HubEventBusProps {
  /** Physical bus name, e.g. `omnihub-prod`. */
  readonly eventBusName: string;
  /** Events the archive keeps. */
  readonly archivePattern: EventPattern;
  /** Days archived events are kept. @default 90 */
  readonly archiveRetentionDays?: number;
  /** Use an existing bus instead of creating one (no archive is created then). @default a new bus */
  readonly existingEventBus?: IEventBus;
}

export class HubEventBus extends Construct {
  public readonly eventBus: IEventBus;
  /** Undefined when an existing bus was passed in. */
  public readonly archive?: Archive;

  constructor(scope: Construct, id: string, props: HubEventBusProps) {
    super(scope, id);
    if (props.existingEventBus) {
      this.eventBus = props.existingEventBus;
      return;
    }
    const bus = new EventBus(this, 'bus', {
      eventBusName: props.eventBusName,
      description: 'Omnihub: normalized hub events from every connector',
    });
    this.eventBus = bus;
    this.archive = bus.archive('archive', {
      archiveName: `${props.eventBusName}-archive`,
      description: 'Every hub event, for replays into the profile writer and new subscribers',
      eventPattern: toCdkPattern(props.archivePattern),
      retention: Duration.days(props.archiveRetentionDays ?? 90),
    });
  }
}
