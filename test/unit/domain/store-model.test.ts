import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyEvent, emptyProfile, toTimelineItem, type Profile } from '../../../functions/domain/profile.js';
import {
  appliedState,
  fromProfileItem,
  fromTimelineStored,
  RECENT_WRITES,
  recordWrite,
  remembersWrite,
  timelineItem,
  toProfileItem,
  writesRemembered,
} from '../../../functions/domain/store-model.js';
import { email, message, NOW, phone } from './plan-world.js';

const profileAfter = (n: number): Profile => {
  let p = emptyProfile('cus_m', '2026-11-01T10:00:00.000Z', NOW);
  for (let i = 1; i <= n; i++) {
    const e = message(i, [phone('+380501112200')], `2026-11-01T10:${String(i % 60).padStart(2, '0')}:00.000Z`);
    p = { ...applyEvent(p, e, NOW), recent: recordWrite(p.recent, e.id) };
  }
  return p;
};

describe('Write memory (recent)', () => {
  it('remembers the last RECENT_WRITES writes and forgets older ones', () => {
    let recent: string | undefined;
    for (let i = 0; i < RECENT_WRITES + 3; i++) recent = recordWrite(recent, `evt_${i}`);
    expect(writesRemembered(recent)).toBe(RECENT_WRITES);
    expect(remembersWrite(recent, `evt_${RECENT_WRITES + 2}`)).toBe(true);
    expect(remembersWrite(recent, 'evt_3')).toBe(true);
    expect(remembersWrite(recent, 'evt_2')).toBe(false);
  });
});

describe('appliedState', () => {
  const entry = (eventNo: number, pv?: number) => {
    const e = message(eventNo, [phone('+380501112200')]);
    return fromTimelineStored(timelineItem(toTimelineItem(e, 'cus_m'), pv === undefined ? {} : { pv }));
  };

  it('an entry written with its profile (no pv) is applied', () => {
    expect(appliedState(entry(1), { kind: 'live', profile: profileAfter(1) })).toBe('applied');
  });

  it('an entry the profile remembers is applied; one it would remember but does not is pending', () => {
    const p = profileAfter(3); // events 1..3 applied, version 3
    expect(appliedState(entry(3, 2), { kind: 'live', profile: p })).toBe('applied');
    expect(appliedState(entry(9, 3), { kind: 'live', profile: p })).toBe('pending');
    // Planned at version 1, two writes since, neither its own: pending.
    expect(appliedState(entry(9, 1), { kind: 'live', profile: p })).toBe('pending');
  });

  it('beyond the remembered window it reads as applied (an old redelivery)', () => {
    const p = profileAfter(RECENT_WRITES + 5);
    expect(appliedState(entry(999, 2), { kind: 'live', profile: p })).toBe('applied');
    expect(appliedState(entry(999, p.version - RECENT_WRITES), { kind: 'live', profile: p })).toBe('pending');
  });

  it('an entry whose owner is erased (or gone) is an orphan', () => {
    const erased = { kind: 'erased' as const, customerId: 'cus_m', erasedAt: NOW, relatedIds: [], outbox: [] };
    expect(appliedState(entry(1, 0), erased)).toBe('orphan');
    expect(appliedState(entry(1, 0), undefined)).toBe('orphan');
  });
});

describe('Profile items', () => {
  it('round-trip exactly, and leave empty collections and the customer id out of the item', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 }), fc.boolean(), (n, withEmail) => {
        let p = profileAfter(n);
        if (withEmail)
          p = applyEvent(
            p,
            {
              ...message(100, [email('x@example.com')]),
              customer: { identities: [email('x@example.com')], traits: { name: 'X', city: 'Lviv' } },
            },
            NOW,
          );
        const item = toProfileItem(p);
        const back = fromProfileItem(item);
        expect(back).toEqual({ kind: 'live', profile: p });
        expect(item).not.toHaveProperty('customerId');
        expect(item).not.toHaveProperty('mergedIds');
      }),
    );
  });
});
