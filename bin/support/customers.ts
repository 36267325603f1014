/** What the customer commands share: a customer named by id or by `type:value`. */
import { ProfileViewSchema } from '../../functions/handlers/api/views.js';
import type { HubClient } from '../hub-client.js';

/**
 * `cus_…` as it is; `type:value` (`phone:+380501112233`, `telegram:123`)
 * looked up through `GET /v1/customers?identity=`, normalized by the hub.
 */
export const resolveCustomerId = async (hub: HubClient, who: string): Promise<string> => {
  if (!who.includes(':')) return who;
  const profile = await hub.get('/v1/customers', { query: { identity: who }, schema: ProfileViewSchema });
  return profile.customerId;
};
