/**
 * Connector secret status from metadata: Secrets Manager's version list
 * (never a value) on AWS, the environment locally. The AWS client is a stub
 * answering `ListSecretVersionIds` as Secrets Manager documents it.
 */
import { ListSecretVersionIdsCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import {
  SecretsManagerSecretStatus,
  statusFromVersions,
} from '../../../functions/adapters/aws/secrets-manager-secret-status.js';
import { EnvSecretStore } from '../../../functions/adapters/local/env-secret-store.js';

const created = new Date('2026-01-05T09:00:00.000Z');
const put = new Date('2026-01-06T10:30:00.000Z');

describe('Adapter: Secrets Manager secret status', () => {
  it('reads the placeholder the stack created as not configured', () => {
    // Act & Assess
    expect(statusFromVersions([{ VersionStages: ['AWSCURRENT'], CreatedDate: created }])).toEqual({
      configured: false,
    });
  });

  it("reads an operator's put-secret-value (placeholder now AWSPREVIOUS) as configured, since the new version", () => {
    // Act & Assess
    expect(
      statusFromVersions([
        { VersionStages: ['AWSPREVIOUS'], CreatedDate: created },
        { VersionStages: ['AWSCURRENT'], CreatedDate: put },
      ]),
    ).toEqual({ configured: true, updatedAt: put.toISOString() });
  });

  it('ignores versions without a label and a list without a current version', () => {
    // Act & Assess
    expect(statusFromVersions([{ VersionStages: [] }, { VersionStages: ['AWSCURRENT'] }])).toEqual({
      configured: false,
    });
    expect(statusFromVersions([{ VersionStages: ['AWSPENDING'] }, { VersionStages: ['AWSPREVIOUS'] }])).toEqual({
      configured: false,
    });
  });

  it('asks ListSecretVersionIds for <prefix><connector> and treats a missing secret as not configured', async () => {
    // Prepare
    const asked: unknown[] = [];
    const client = {
      send: async (command: unknown) => {
        asked.push(command);
        if (!(command instanceof ListSecretVersionIdsCommand)) throw new Error('unexpected command');
        if (command.input.SecretId === 'omnihub/prod/connectors/gone')
          throw Object.assign(new Error('Secrets Manager can’t find the specified secret.'), {
            name: 'ResourceNotFoundException',
          });
        return {
          Versions: [
            { VersionId: 'a', VersionStages: ['AWSPREVIOUS'], CreatedDate: created },
            { VersionId: 'b', VersionStages: ['AWSCURRENT'], CreatedDate: put },
          ],
        };
      },
    };
    const status = new SecretsManagerSecretStatus(client as never, 'omnihub/prod/connectors/');

    // Act
    const whatsapp = await status.status('whatsapp');
    const gone = await status.status('gone');

    // Assess
    expect((asked[0] as ListSecretVersionIdsCommand).input).toEqual({ SecretId: 'omnihub/prod/connectors/whatsapp' });
    expect(whatsapp).toEqual({ configured: true, updatedAt: put.toISOString() });
    expect(gone).toEqual({ configured: false });
  });

  it('passes other errors on (an access problem is not "not configured")', async () => {
    // Prepare
    const client = {
      send: async () => {
        throw Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' });
      },
    };

    // Act & Assess
    await expect(new SecretsManagerSecretStatus(client as never, 'p/').status('whatsapp')).rejects.toThrow(
      /not authorized/,
    );
  });
});

describe('Adapter: environment secret status (local)', () => {
  it('reports each key and configured when every required key is set', async () => {
    // Prepare
    const store = new EnvSecretStore({ OMNIHUB_SECRET_WHATSAPP: 'x'.repeat(32) });

    // Act
    const status = await store.status('whatsapp');

    // Assess
    expect(status.keys?.secret).toBe(true);
    expect(Object.values(status.keys ?? {})).toContain(false); // the verify token is not set
    expect(status.configured).toBe(true);
    expect(await new EnvSecretStore({}).status('whatsapp')).toMatchObject({ configured: false });
  });
});
