/**
 * The keys of a Send API sender (`./meta-send.ts`), for the connectors'
 * `meta.ts`: the registry lists them without loading the sender.
 */
import type { SecretSpec } from '../types.js';
import { secretEnvName } from './secret-env.js';

/** Graph API root, versioned; `apiBaseUrl` overrides it (tests, a newer version). */
export const META_GRAPH_API_BASE_URL = 'https://graph.facebook.com/v23.0';

/** `apiToken`, `sender` and `apiBaseUrl` of one Meta platform's sender. */
export const metaSenderSecrets = (opts: {
  connector: 'messenger' | 'instagram';
  tokenDescription: string;
  senderDescription: string;
}): readonly SecretSpec[] => [
  {
    name: 'apiToken',
    env: secretEnvName('API_TOKEN', opts.connector),
    description: opts.tokenDescription,
    required: false,
    rotation: {
      by: 'vendor',
      how: 'Generate a new long-lived Page access token in Meta (Graph API Explorer or Business Settings → System users), then put it.',
    },
  },
  {
    name: 'sender',
    env: secretEnvName('SENDER', opts.connector),
    description: opts.senderDescription,
    required: false,
    rotation: { by: 'none', how: 'The sending identity (a number, a name, a page or a domain), not a credential.' },
  },
  {
    name: 'apiBaseUrl',
    env: secretEnvName('API_BASE_URL', opts.connector),
    description: `Graph API root including the version (default ${META_GRAPH_API_BASE_URL})`,
    required: false,
    rotation: { by: 'none', how: 'An API address, not a credential.' },
  },
];
