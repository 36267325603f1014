/**
 * Runtime configuration, read from the environment once and validated, so a
 * misconfigured function fails at cold start with a message naming the
 * variable instead of on the first webhook.
 */
import { z } from 'zod';
import { DEFAULT_MAX_BODY_BYTES } from './http.js';

const CountrySchema = z.string().regex(/^[A-Z]{2}$/, 'ISO 3166-1 alpha-2 country code, e.g. UA');

export const ENV = {
  tableName: 'OMNIHUB_TABLE_NAME',
  eventBusName: 'OMNIHUB_EVENT_BUS_NAME',
  defaultCountry: 'OMNIHUB_DEFAULT_COUNTRY',
  maxBodyBytes: 'OMNIHUB_MAX_BODY_BYTES',
  publicBaseUrl: 'OMNIHUB_PUBLIC_BASE_URL',
  secretPrefix: 'OMNIHUB_SECRET_PREFIX',
  dedupeTtlDays: 'OMNIHUB_DEDUPE_TTL_DAYS',
  ignoredIdentities: 'OMNIHUB_IGNORED_IDENTITIES',
  maxIdentitiesPerType: 'OMNIHUB_MAX_IDENTITIES_PER_TYPE',
  lifespanYears: 'OMNIHUB_LIFESPAN_YEARS',
  abandonedCartHours: 'OMNIHUB_ABANDONED_CART_HOURS',
} as const;

const ConfigSchema = z.object({
  tableName: z.string().min(1),
  eventBusName: z.string().min(1),
  defaultCountry: CountrySchema.default('UA'),
  maxBodyBytes: z.coerce
    .number()
    .int()
    .positive()
    .max(6 * 1024 * 1024)
    .default(DEFAULT_MAX_BODY_BYTES),
  /** Public base URL vendors call (custom domain/stage); URL-signing vendors verify against it. */
  publicBaseUrl: z.url().optional(),
  /** Secrets Manager name prefix; a connector's secret is `<prefix><connector>`. */
  secretPrefix: z.string().default('omnihub/connectors/'),
  /** How long a processed event id is remembered; WhatsApp redelivers for up to 7 days. */
  dedupeTtlDays: z.coerce.number().int().min(7).default(30),
  /** `type:value` list never used to link people: the shop's own phone, a shared family email, test numbers. */
  ignoredIdentities: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    ),
  /** Guard rail: most identities of one type a profile links (stops one bad source snowballing profiles together). */
  maxIdentitiesPerType: z.coerce.number().int().min(1).max(100).default(10),
  /** Expected customer lifespan used by lifetime value. */
  lifespanYears: z.coerce.number().positive().max(50).default(3),
  /** A cart with no order for this long counts as abandoned. */
  abandonedCartHours: z.coerce.number().positive().default(24),
});
export type HubConfig = z.infer<typeof ConfigSchema>;

/** Reads the config from an env map; throws naming every bad variable. */
export const readConfig = (env: NodeJS.ProcessEnv = process.env, overrides: Partial<HubConfig> = {}): HubConfig => {
  const raw = Object.fromEntries(
    Object.entries(ENV).map(([key, name]) => [key, env[name] === '' ? undefined : env[name]]),
  );
  const result = ConfigSchema.safeParse({ ...raw, ...overrides });
  if (!result.success) {
    const names = result.error.issues
      .map((i) => `${ENV[i.path[0] as keyof typeof ENV] ?? String(i.path[0])}: ${i.message}`)
      .join('; ');
    throw new Error(`Invalid Omnihub configuration: ${names}`);
  }
  return result.data;
};
