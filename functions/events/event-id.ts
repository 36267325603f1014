import { createHash } from 'node:crypto';

/**
 * Deterministic hub event id: the same connector and provider event id always
 * give the same id, so a redelivered webhook collapses into the event the hub
 * already has instead of a second copy. Hashed so ids are fixed-length and
 * carry no customer data (a provider id may embed a phone number).
 */
export const hubEventId = (connector: string, providerEventId: string): string =>
  `evt_${createHash('sha256').update(`${connector}\n${providerEventId}`).digest('hex').slice(0, 32)}`;
