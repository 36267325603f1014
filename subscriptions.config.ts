/**
 * Subscriptions: who receives which hub events. Each entry becomes an
 * EventBridge rule with its own queue, DLQ and retry policy on AWS (`cdk
 * deploy`) and the same topology in the local runtime (`npm start`).
 * Validated when loaded: a mistake fails `cdk synth` / `npm start` with the
 * field named, e.g. `subscriptions[0].pattern.detail-type: …`.
 *
 * How to add one, the signature your receiver verifies, the customer every
 * webhook event carries (`enrich`), retries, DLQ, redrive and replay:
 * docs/subscriptions.md. `omnihub subscriptions test
 * <name> --event <file>` tells whether an event matches a pattern.
 *
 * Example (a webhook for every quiz/form lead, signed per Standard Webhooks):
 *
 *   {
 *     name: 'crm-leads',
 *     description: 'Every lead into the CRM',
 *     pattern: { 'detail-type': ['lead.submitted'] },
 *     target: { type: 'webhook', url: 'https://crm.example.com/hooks/omnihub' },
 *     retry: { maxAttempts: 10, windowSeconds: 86_400 },
 *   },
 */
import { defineSubscriptions } from './functions/subscriptions/config.js';

export const subscriptions = defineSubscriptions([]);
