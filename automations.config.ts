/**
 * Automations: the hub messages a customer at the right moment. Each run is
 * in her timeline (`automation.triggered`, `automation.skipped` with the
 * reason); messages go through the outbound pipeline and its reachability
 * rules (consent, windows, quiet hours, fallbacks). Validated when loaded: a
 * mistake fails `npm start` / `cdk synth` with the field named, e.g.
 * `automations[0].send.template.language: …`.
 *
 * Fields, placeholders (`{{profile.firstName}}`, `{{event.data.total}}`), the
 * time-based events (`cart.abandoned`, `lead.unanswered`, `customer.inactive`,
 * `customer.birthday`) and
 * `omnihub automations list|test`: docs/automations.md.
 *
 * Example (a WhatsApp reminder one hour after a cart the hub declared
 * abandoned, unless she ordered meanwhile):
 *
 *   automations: [{
 *     name: 'abandoned-cart',
 *     when: { 'detail-type': ['cart.abandoned'] },
 *     wait: '1h',
 *     unless: { 'detail-type': ['order.placed', 'order.paid', 'purchase.completed'] },
 *     send: {
 *       purpose: 'marketing',
 *       template: { name: 'cart_reminder', language: 'uk' },
 *       text: 'You left something in your cart',
 *     },
 *     quietHours: '21:00-09:00',
 *   }],
 *   marketingCap: { max: 2, per: '7d' },
 */
import { defineAutomations } from './functions/automations/config.js';

export const automations = defineAutomations({ automations: [] });
