/** The EventBridge publisher for Lambda, created once per execution environment. */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { awsConfig } from './config.js';
import { EventBridgePublisher } from '../../../adapters/aws/event-bridge-publisher.js';

export const awsPublisher = () => new EventBridgePublisher(new EventBridgeClient({}), awsConfig().eventBusName);
