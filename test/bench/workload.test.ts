import { describe, expect, it } from 'vitest';
import { identityKey } from '../../functions/domain/identity.js';
import { customer, planStream, probeIdentity, touchEvents, type Touch } from '../../bench/lib/workload.js';

describe('Bench: workload', () => {
  it('plans the same stream for the same seed and another for another seed', () => {
    // Act & Assess
    expect(planStream(200, 7)).toEqual(planStream(200, 7));
    expect(planStream(200, 7)).not.toEqual(planStream(200, 8));
  });

  it('sends every first touch before any second, and linking touches last', () => {
    // Act
    const waves = planStream(500, 1).map((s) => s.wave);

    // Assess
    expect(waves).toEqual([...waves].sort((a, b) => a - b));
    expect(new Set(waves)).toEqual(new Set([0, 1, 2]));
  });

  it('plans merges for about a quarter of the customers, only on the linking touch of a merge journey', () => {
    // Act
    const steps = planStream(2000, 3);
    const merges = steps.filter((s) => s.expectMerge);

    // Assess
    expect(merges.length / 2000).toBeGreaterThan(0.2);
    expect(merges.length / 2000).toBeLessThan(0.3);
    for (const m of merges) {
      expect(m.wave).toBe(2);
      expect(['telegram-merge', 'shop-merge']).toContain(m.journey);
    }
    expect(new Set(steps.map((s) => s.customer)).size).toBe(2000);
    expect(steps.map((s) => s.seq)).toEqual(steps.map((_, i) => i));
  });

  it('gives every customer of every stream its own identifiers', () => {
    // Prepare
    const people = [0, 1, 2].flatMap((stream) => Array.from({ length: 300 }, (_, i) => customer(stream, i)));

    // Act & Assess
    for (const key of ['phone', 'telegramId', 'email', 'shopifyId', 'username'] as const) {
      expect(new Set(people.map((p) => p[key])).size).toBe(people.length);
    }
    expect(() => customer(0, 200_000)).toThrow(RangeError);
  });

  it('builds a body per touch that its connector turns into one event of that customer', () => {
    // Prepare
    const c = customer(5, 42);
    const touches: Touch[] = ['whatsapp', 'telegram', 'telegram-contact', 'marquiz', 'binotel', 'ringostat', 'shopify'];

    // Act & Assess
    for (const touch of touches) {
      const events = touchEvents(touch, c, 1234, Date.parse('2026-01-01T10:00:00Z'), 'test');
      expect(events, touch).toHaveLength(1);
      expect(events[0]?.customer.identities.map(identityKey), touch).toContain(probeIdentity(touch, c));
    }
  });
});
