import type { PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createConsoleTokenHandler } from '../../../functions/handlers/console-token.js';

/** The event Cognito sends (version 2) for a managed-login sign-in. */
const event = (groups: string[], scopes: string[] = ['openid', 'email', 'profile']): PreTokenGenerationV2TriggerEvent =>
  ({
    version: '2',
    triggerSource: 'TokenGeneration_HostedAuth',
    region: 'eu-central-1',
    userPoolId: 'eu-central-1_abc',
    userName: 'olena',
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: 'client' },
    request: { userAttributes: { sub: 'x' }, groupConfiguration: { groupsToOverride: groups }, scopes },
    response: { claimsAndScopeOverrideDetails: {} },
  }) as PreTokenGenerationV2TriggerEvent;

describe('Cognito trigger: console groups → access-token scopes', () => {
  const handler = createConsoleTokenHandler();

  it.each([
    [['viewer'], ['omnihub/read']],
    [['agent'], ['omnihub/read', 'omnihub/send']],
    [['admin'], ['omnihub/read', 'omnihub/send', 'omnihub/admin']],
    [
      ['viewer', 'admin'],
      ['omnihub/read', 'omnihub/send', 'omnihub/admin'],
    ],
  ])('grants %j the scopes %j', async (groups, scopes) => {
    // Act
    const out = await handler(event(groups));

    // Assess
    expect(out.response.claimsAndScopeOverrideDetails.accessTokenGeneration?.scopesToAdd).toEqual(scopes);
  });

  it('grants nothing without a console group, and suppresses omnihub scopes a client asked for', async () => {
    // Act
    const out = await handler(event(['marketing'], ['openid', 'omnihub/admin', 'omnihub/read']));

    // Assess
    expect(out.response.claimsAndScopeOverrideDetails.accessTokenGeneration).toEqual({
      scopesToSuppress: ['omnihub/admin', 'omnihub/read'],
    });
  });

  it('takes a viewer who asked for admin back to read', async () => {
    const out = await handler(event(['viewer'], ['openid', 'omnihub/admin']));
    expect(out.response.claimsAndScopeOverrideDetails.accessTokenGeneration).toEqual({
      scopesToAdd: ['omnihub/read'],
      scopesToSuppress: ['omnihub/admin'],
    });
  });
});
