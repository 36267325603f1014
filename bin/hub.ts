#!/usr/bin/env node
/** CDK entry: `cdk synth -c stage=prod` → stack `Omnihub-prod`, checked by cdk-nag (AwsSolutions). */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { stageConfigFromContext } from '../lib/config.js';
import { HubStack } from '../lib/hub-stack.js';

const app = new App();
const config = stageConfigFromContext(app.node);
// Environment-agnostic: deploys to the account and region of the CLI credentials.
new HubStack(app, `Omnihub-${config.stage}`, { config });
// cdk-nag v3 is a policy-validation plugin (v2's Aspect API is gone): any unacknowledged finding fails the synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
