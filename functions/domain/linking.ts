/**
 * Guard rails of identity resolution, as the mature CDPs have them: values
 * that must never link people (the shop's own phone, a shared family email,
 * test numbers) and a cap on identities of one type per profile, so one bad
 * source cannot snowball everyone into one profile. Both are reported as
 * profile warnings, never silently.
 */
import type { Identity, IdentityType } from '../events/hub-event.js';
import { identityKey, parseIdentityKey, type CountryCode } from './identity.js';

export interface LinkingPolicy {
  /** `type:value` keys (normalized) that are never used to link profiles. */
  readonly ignored: ReadonlySet<string>;
  /** Most identities of one type a profile may hold; more are not linked. @default 10 */
  readonly maxPerType: number;
}

const DEFAULT_MAX_IDENTITIES_PER_TYPE = 10;

/** Builds the policy from config strings such as `phone:+380441234567, email:family@example.com`. */
export const linkingPolicy = (
  ignored: readonly string[] = [],
  maxPerType = DEFAULT_MAX_IDENTITIES_PER_TYPE,
  country: CountryCode = 'UA',
): LinkingPolicy => {
  const keys = new Set<string>();
  for (const raw of ignored) {
    const parsed = parseIdentityKey(raw, country);
    if ('problem' in parsed) throw new Error(`Ignored identity "${raw}": ${parsed.problem}`);
    keys.add(identityKey(parsed));
  }
  return { ignored: keys, maxPerType };
};

export interface LinkDecision {
  /** Identities used for lookup and linking. */
  readonly linkable: Identity[];
  readonly warnings: string[];
}

/** Splits an event's identities into those used for linking and warnings about the rest. */
export const decideLinks = (identities: readonly Identity[], policy: LinkingPolicy): LinkDecision => {
  const linkable: Identity[] = [];
  const warnings: string[] = [];
  for (const identity of identities) {
    if (policy.ignored.has(identityKey(identity)))
      warnings.push(`${identityKey(identity)} is on the do-not-link list; it does not link profiles`);
    else linkable.push(identity);
  }
  return { linkable, warnings };
};

/** Counts identities per type. */
const countByType = (identities: readonly Identity[]): Map<IdentityType, number> => {
  const counts = new Map<IdentityType, number>();
  for (const { type } of identities) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
};

/**
 * The identities of `incoming` a profile holding `existing` may still take,
 * by the per-type cap; the rest come back as warnings.
 */
export const withinCap = (
  existing: readonly Identity[],
  incoming: readonly Identity[],
  policy: LinkingPolicy,
): LinkDecision => {
  const have = new Set(existing.map(identityKey));
  const counts = countByType(existing);
  const linkable: Identity[] = [];
  const warnings: string[] = [];
  for (const identity of incoming) {
    if (have.has(identityKey(identity))) {
      linkable.push(identity);
      continue;
    }
    const n = counts.get(identity.type) ?? 0;
    if (n >= policy.maxPerType) {
      warnings.push(
        `more than ${policy.maxPerType} ${identity.type} identities: ${identityKey(identity)} was not linked`,
      );
      continue;
    }
    counts.set(identity.type, n + 1);
    have.add(identityKey(identity));
    linkable.push(identity);
  }
  return { linkable, warnings };
};

/** Whether merging profiles with these identities would break the per-type cap. */
export const mergeExceedsCap = (
  identitySets: readonly (readonly Identity[])[],
  policy: LinkingPolicy,
): IdentityType | undefined => {
  const union = new Map<string, Identity>();
  for (const set of identitySets) for (const identity of set) union.set(identityKey(identity), identity);
  for (const [type, n] of countByType([...union.values()])) if (n > policy.maxPerType) return type;
  return undefined;
};
