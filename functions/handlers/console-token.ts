/**
 * Cognito pre-token-generation trigger (event version 2): turns a person's
 * console groups into the OAuth scopes the console API's JWT authorizer
 * requires per route — `viewer` → omnihub/read, `agent` → + omnihub/send,
 * `admin` → + omnihub/admin (`scopesOfGroups`, the same table the local
 * server enforces). Any `omnihub/*` scope the person is not entitled to is
 * suppressed even if a client asked for it, so a token never carries more
 * than her groups grant; no console group means no scope, and every route
 * answers 403.
 */
import type { PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
import { SCOPE_SERVER, scopesOfGroups } from '../shared/access.js';

export const createConsoleTokenHandler =
  () =>
  async (event: PreTokenGenerationV2TriggerEvent): Promise<PreTokenGenerationV2TriggerEvent> => {
    const granted = scopesOfGroups(event.request.groupConfiguration?.groupsToOverride ?? []);
    const unearned = (event.request.scopes ?? []).filter(
      (scope) => scope.startsWith(`${SCOPE_SERVER}/`) && !granted.includes(scope),
    );
    event.response.claimsAndScopeOverrideDetails = {
      ...event.response.claimsAndScopeOverrideDetails,
      accessTokenGeneration: {
        ...(granted.length ? { scopesToAdd: granted } : {}),
        ...(unearned.length ? { scopesToSuppress: unearned } : {}),
      },
    };
    return event;
  };
