/**
 * The connector registry. Adding a connector is one folder plus one line
 * here; the route, the secret, the docs listing and the contract tests pick it
 * up from this map. Explicit (not discovered) so esbuild can bundle it and the
 * compiler sees every entry.
 *
 * Each line holds the connector's light metadata (`meta.ts`: name, channel,
 * secrets, whether it hydrates) and a dynamic `import()` of its module, so a
 * Lambda function initialises no connector at all and loads one on its first
 * webhook (esbuild puts each module in a chunk of its own). Code that needs
 * every module at once (tests, the CLI, benchmarks) imports `./loaded.js`.
 */
import { aircallMeta } from './aircall/meta.js';
import { appMeta } from './app/meta.js';
import { binotelMeta } from './binotel/meta.js';
import { bitrix24Meta } from './bitrix24/meta.js';
import { freshdeskMeta } from './freshdesk/meta.js';
import { hubspotMeta } from './hubspot/meta.js';
import { instagramMeta, instagramSenderSecrets } from './instagram/meta.js';
import { kommoMeta } from './kommo/meta.js';
import { mailgunMeta, mailgunSenderSecrets } from './mailgun/meta.js';
import { marquizMeta } from './marquiz/meta.js';
import { messengerMeta, messengerSenderSecrets } from './messenger/meta.js';
import { posterMeta } from './poster/meta.js';
import { ringostatMeta } from './ringostat/meta.js';
import { sendgridMeta } from './sendgrid/meta.js';
import { sendgridInboundMeta } from './sendgrid-inbound/meta.js';
import { sesMeta, sesSenderSecrets } from './ses/meta.js';
import { shopifyMeta } from './shopify/meta.js';
import { siteMeta } from './site/meta.js';
import { squareMeta } from './square/meta.js';
import { telegramMeta, telegramSenderSecrets } from './telegram/meta.js';
import { twilioMeta, twilioSenderSecrets } from './twilio/meta.js';
import { typeformMeta } from './typeform/meta.js';
import { viberMeta, viberSenderSecrets } from './viber/meta.js';
import { whatsappMeta, whatsappSenderSecrets } from './whatsapp/meta.js';
import { woocommerceMeta } from './woocommerce/meta.js';
import { zendeskMeta } from './zendesk/meta.js';
import type { Connector, ConnectorMeta, SecretSpec } from './types.js';

/** A registered connector: its metadata now, its module on first use. */
export interface ConnectorEntry extends ConnectorMeta {
  load(): Promise<Connector<unknown>>;
}

// biome-ignore lint/suspicious/noExplicitAny: a payload type is existential (parse makes it, normalize takes it); the registry can only erase it
type AnyConnector = Connector<any>;

/**
 * A connector that can also send (`<name>/send.ts`, listed in `./senders.ts`):
 * its sender's keys join the connector's (one list for the env, Secrets
 * Manager and `GET /v1/connectors`; a sender's spec replaces a connector's
 * spec of the same name). The keys come from `meta.ts`, so listing them loads
 * no sender.
 */
const withSenderSecrets = <M extends ConnectorMeta>(meta: M, senderSecrets: readonly SecretSpec[]): M => ({
  ...meta,
  secrets: [...meta.secrets.filter((s) => !senderSecrets.some((x) => x.name === s.name)), ...senderSecrets],
});

/** Pairs the metadata with its module's loader (the contract test checks the module's connector is the one the metadata describes). */
const lazy = <M extends ConnectorMeta>(meta: M, load: () => Promise<AnyConnector>) => ({
  ...meta,
  load: load as () => Promise<Connector<unknown>>,
});

export const CONNECTORS = {
  aircall: lazy(aircallMeta, () => import('./aircall/index.js').then((m) => m.aircallConnector)),
  app: lazy(appMeta, () => import('./app/index.js').then((m) => m.appConnector)),
  binotel: lazy(binotelMeta, () => import('./binotel/index.js').then((m) => m.binotelConnector)),
  bitrix24: lazy(bitrix24Meta, () => import('./bitrix24/index.js').then((m) => m.bitrix24Connector)),
  freshdesk: lazy(freshdeskMeta, () => import('./freshdesk/index.js').then((m) => m.freshdeskConnector)),
  hubspot: lazy(hubspotMeta, () => import('./hubspot/index.js').then((m) => m.hubspotConnector)),
  instagram: lazy(withSenderSecrets(instagramMeta, instagramSenderSecrets), () =>
    import('./instagram/index.js').then((m) => m.instagramConnector),
  ),
  kommo: lazy(kommoMeta, () => import('./kommo/index.js').then((m) => m.kommoConnector)),
  mailgun: lazy(withSenderSecrets(mailgunMeta, mailgunSenderSecrets), () =>
    import('./mailgun/index.js').then((m) => m.mailgunConnector),
  ),
  marquiz: lazy(marquizMeta, () => import('./marquiz/index.js').then((m) => m.marquizConnector)),
  messenger: lazy(withSenderSecrets(messengerMeta, messengerSenderSecrets), () =>
    import('./messenger/index.js').then((m) => m.messengerConnector),
  ),
  poster: lazy(posterMeta, () => import('./poster/index.js').then((m) => m.posterConnector)),
  ringostat: lazy(ringostatMeta, () => import('./ringostat/index.js').then((m) => m.ringostatConnector)),
  sendgrid: lazy(sendgridMeta, () => import('./sendgrid/index.js').then((m) => m.sendgridConnector)),
  'sendgrid-inbound': lazy(sendgridInboundMeta, () =>
    import('./sendgrid-inbound/index.js').then((m) => m.sendgridInboundConnector),
  ),
  ses: lazy(withSenderSecrets(sesMeta, sesSenderSecrets), () => import('./ses/index.js').then((m) => m.sesConnector)),
  shopify: lazy(shopifyMeta, () => import('./shopify/index.js').then((m) => m.shopifyConnector)),
  site: lazy(siteMeta, () => import('./site/index.js').then((m) => m.siteConnector)),
  square: lazy(squareMeta, () => import('./square/index.js').then((m) => m.squareConnector)),
  telegram: lazy(withSenderSecrets(telegramMeta, telegramSenderSecrets), () =>
    import('./telegram/index.js').then((m) => m.telegramConnector),
  ),
  twilio: lazy(withSenderSecrets(twilioMeta, twilioSenderSecrets), () =>
    import('./twilio/index.js').then((m) => m.twilioConnector),
  ),
  typeform: lazy(typeformMeta, () => import('./typeform/index.js').then((m) => m.typeformConnector)),
  viber: lazy(withSenderSecrets(viberMeta, viberSenderSecrets), () =>
    import('./viber/index.js').then((m) => m.viberConnector),
  ),
  whatsapp: lazy(withSenderSecrets(whatsappMeta, whatsappSenderSecrets), () =>
    import('./whatsapp/index.js').then((m) => m.whatsappConnector),
  ),
  woocommerce: lazy(woocommerceMeta, () => import('./woocommerce/index.js').then((m) => m.woocommerceConnector)),
  zendesk: lazy(zendeskMeta, () => import('./zendesk/index.js').then((m) => m.zendeskConnector)),
} satisfies Record<string, ConnectorEntry>;

export type ConnectorName = keyof typeof CONNECTORS;

/** Every registered connector's metadata, in registry order. */
export const listConnectors = (): ConnectorEntry[] => Object.values(CONNECTORS);

/** The registry entry of `name`, or undefined (a name that is not a registry key, e.g. `__proto__`). */
export const findConnectorMeta = (name: string | undefined): ConnectorEntry | undefined =>
  name !== undefined && Object.hasOwn(CONNECTORS, name)
    ? (CONNECTORS as Record<string, ConnectorEntry>)[name]
    : undefined;

const modules = new Map<string, Promise<Connector<unknown>>>();

/**
 * Loads `name`'s module once per process (concurrent first webhooks share
 * the load; a failed load is retried by the next call), or undefined for a
 * name that is not registered, without loading anything.
 */
export const loadConnector = (name: string | undefined): Promise<Connector<unknown>> | undefined => {
  const entry = findConnectorMeta(name);
  if (!entry) return undefined;
  let module = modules.get(entry.name);
  if (!module) {
    module = entry.load();
    modules.set(entry.name, module);
    module.catch(() => modules.delete(entry.name));
  }
  return module;
};

export { secretEnvName } from './shared/secret-env.js';
