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
} as const;

const ConfigSchema = z.object({
  tableName: z.string().min(1),
  eventBusName: z.string().min(1),
  defaultCountry: CountrySchema.default('UA'),
  maxBodyBytes: z.coerce.number().int().positive().max(6 * 1024 * 1024).default(DEFAULT_MAX_BODY_BYTES),
  /** Public base URL vendors call (custom domain/stage); URL-signing vendors verify against it. */
  publicBaseUrl: z.url().optional(),
  /** Secrets Manager name prefix; a connector's secret is `<prefix><connector>`. */
  secretPrefix: z.string().default('omnihub/connectors/'),
  /** How long a processed event id is remembered; WhatsApp redelivers for up to 7 days. */
  dedupeTtlDays: z.coerce.number().int().min(7).default(30),
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
