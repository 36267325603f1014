/** The EventBridge publisher for Lambda, created once per execution environment. */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EventBridgePublisher } from '../../../adapters/aws/event-bridge-publisher.js';

export const awsPublisher = (eventBusName: string) => new EventBridgePublisher(new EventBridgeClient({}), eventBusName);
