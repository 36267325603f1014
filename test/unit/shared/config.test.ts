/** One configuration per function, read once at start, failing with the variable named. */
import { describe, expect, it } from 'vitest';
import { ConfigError, ENV, FUNCTION_CONFIGS, readFunctionConfig, VARIABLES } from '../../../functions/shared/config.js';

describe('Config: one schema per function', () => {
  it('reads the ingest configuration with its defaults, and nothing it does not use', () => {
    // Act
    const config = readFunctionConfig(FUNCTION_CONFIGS.ingest, {
      [ENV.eventBusName]: 'omnihub-prod',
      [ENV.tableName]: 'omnihub-prod-hub',
      [ENV.abandonedCartHours]: 'ignored: ingest never decides whether a cart was abandoned',
    });

    // Assess
    expect(config).toEqual({
      tableName: 'omnihub-prod-hub',
      eventBusName: 'omnihub-prod',
      secretPrefix: 'omnihub/connectors/',
      defaultCountry: 'UA',
      maxBodyBytes: 262_144,
      publicBaseUrl: undefined,
      // Binotel's apiCallSettings card: its lifetime value and console link.
      consoleUrl: undefined,
      lifespanYears: 3,
    });
    expect(config).not.toHaveProperty('abandonedCartHours');
  });

  it('names every missing or malformed variable and the function, never a value', () => {
    const read = () =>
      readFunctionConfig(FUNCTION_CONFIGS['profile-writer'], {
        [ENV.eventBusName]: 'bus',
        [ENV.dedupeTtlDays]: '3',
        [ENV.defaultCountry]: 'ukraine',
      });
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(
      /^Invalid configuration of the profile-writer function: OMNIHUB_TABLE_NAME is not set; OMNIHUB_DEFAULT_COUNTRY: an ISO 3166-1 alpha-2 country code, e\.g\. UA; OMNIHUB_DEDUPE_TTL_DAYS: .*7/,
    );
    expect(() =>
      readFunctionConfig(FUNCTION_CONFIGS['local-hub'], { [ENV.port]: 'eighty', [ENV.apiToken]: '' }),
    ).toThrow(/local-hub function: PORT: /);
  });

  it('treats an empty value as unset, as shells and CloudFormation write it', () => {
    const config = readFunctionConfig(FUNCTION_CONFIGS['local-hub'], { [ENV.apiToken]: '', [ENV.port]: '' });
    expect(config.apiToken).toBeUndefined();
    expect(config.port).toBe(3000);
  });

  it('parses lists and numbers into their types', () => {
    const config = readFunctionConfig(FUNCTION_CONFIGS.api, {
      [ENV.tableName]: 't',
      [ENV.eventBusName]: 'b',
      [ENV.ignoredIdentities]: ' phone:+380440000000 , email:shop@example.com,',
      [ENV.lifespanYears]: '2.5',
    });
    expect(config.ignoredIdentities).toEqual(['phone:+380440000000', 'email:shop@example.com']);
    expect(config.lifespanYears).toBe(2.5);
    expect(config.subscriptionPrefix).toBeUndefined();
  });

  it('declares every variable a function reads, and every declared variable is read by some function', () => {
    const used = new Set(Object.values(FUNCTION_CONFIGS).flatMap((c) => Object.keys(c.variables)));
    expect([...used].sort()).toEqual(Object.keys(VARIABLES).sort());
  });
});
