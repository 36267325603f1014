/**
 * The stack cannot drift from the functions' configurations: `HubFunction`
 * refuses a variable its configuration does not declare, and synth fails
 * when a required variable without a default is not set. Bundling is
 * skipped (`aws:cdk:bundling-stacks`), so this needs no esbuild run.
 */
import { fileURLToPath } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { ENV, FUNCTION_CONFIGS } from '../../functions/shared/config.js';
import { HubFunction } from '../../lib/constructs/hub-function.js';

const ENTRY = fileURLToPath(new URL('../../functions/runtime/aws/ingest.ts', import.meta.url));

const stack = () => new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Test');

describe('Infra: function configuration', () => {
  it('refuses a variable the configuration does not declare, naming it and the function', () => {
    // Ingest never decides whether a cart was abandoned.
    expect(
      () =>
        new HubFunction(stack(), 'ingest', {
          entry: ENTRY,
          description: 'x',
          config: FUNCTION_CONFIGS.ingest,
          environment: { [ENV.abandonedCartHours]: '24', [ENV.eventBusName]: 'bus' },
        }),
    ).toThrow(`ingest: ${ENV.abandonedCartHours} is not in the ingest configuration`);

    const fn = new HubFunction(stack(), 'ingest', {
      entry: ENTRY,
      description: 'x',
      config: FUNCTION_CONFIGS.ingest,
      environment: { [ENV.eventBusName]: 'bus', POWERTOOLS_SERVICE_NAME: 'omnihub' },
    });
    expect(() => fn.addEnvironment(ENV.dedupeTtlDays, '30')).toThrow(`${ENV.dedupeTtlDays} is not in the ingest`);
    expect(() => fn.addEnvironment(ENV.publicBaseUrl, 'https://hooks.example.com')).not.toThrow();
  });

  it('fails synth when a required variable without a default is not set', () => {
    // Prepare: the profile writer without its table.
    const s = stack();
    new HubFunction(s, 'profile-writer', {
      entry: ENTRY,
      description: 'x',
      config: FUNCTION_CONFIGS['profile-writer'],
      environment: { [ENV.eventBusName]: 'bus' },
    });

    // Act & Assess
    expect(() => (s.node.root as App).synth()).toThrow(
      `profile-writer: ${ENV.tableName} is required by the profile-writer configuration but the stack does not set it`,
    );
  });
});
