/**
 * The connector registry. Adding a connector is one folder plus one line
 * here; the route, the secret, the docs listing and the contract tests pick it
 * up from this map. Explicit (not discovered) so esbuild can bundle it and the
 * compiler sees every entry.
 */
import { aircallConnector } from './aircall/index.js';
import { appConnector } from './app/index.js';
import { binotelConnector } from './binotel/index.js';
import { bitrix24Connector } from './bitrix24/index.js';
import { freshdeskConnector } from './freshdesk/index.js';
import { hubspotConnector } from './hubspot/index.js';
import { instagramConnector } from './instagram/index.js';
import { kommoConnector } from './kommo/index.js';
import { mailgunConnector } from './mailgun/index.js';
import { marquizConnector } from './marquiz/index.js';
import { messengerConnector } from './messenger/index.js';
import { posterConnector } from './poster/index.js';
import { ringostatConnector } from './ringostat/index.js';
import { sendgridConnector } from './sendgrid/index.js';
import { sendgridInboundConnector } from './sendgrid-inbound/index.js';
import { sesConnector } from './ses/index.js';
import { shopifyConnector } from './shopify/index.js';
import { siteConnector } from './site/index.js';
import { squareConnector } from './square/index.js';
import { telegramConnector } from './telegram/index.js';
import { twilioConnector } from './twilio/index.js';
import { SENDERS } from './senders.js';
import type { Sender } from './shared/sender.js';
import type { Connector } from './types.js';
import { typeformConnector } from './typeform/index.js';
import { viberConnector } from './viber/index.js';
import { whatsappConnector } from './whatsapp/index.js';
import { woocommerceConnector } from './woocommerce/index.js';
import { zendeskConnector } from './zendesk/index.js';

/**
 * A connector that can also send: its sender's secrets join the connector's
 * (one list for the env, Secrets Manager and `GET /v1/connectors`; a
 * sender's spec replaces a connector's spec of the same name).
 */
const withSender = <C extends { secrets: Connector['secrets'] }>(
  connector: C,
  sender: Sender,
): C & { sender: Sender } => ({
  ...connector,
  secrets: [...connector.secrets.filter((s) => !sender.secrets.some((x) => x.name === s.name)), ...sender.secrets],
  sender,
});

export const CONNECTORS = {
  aircall: aircallConnector,
  app: appConnector,
  binotel: binotelConnector,
  bitrix24: bitrix24Connector,
  freshdesk: freshdeskConnector,
  hubspot: hubspotConnector,
  instagram: withSender(instagramConnector, SENDERS.instagram),
  kommo: kommoConnector,
  mailgun: withSender(mailgunConnector, SENDERS.mailgun),
  marquiz: marquizConnector,
  messenger: withSender(messengerConnector, SENDERS.messenger),
  poster: posterConnector,
  ringostat: ringostatConnector,
  sendgrid: sendgridConnector,
  'sendgrid-inbound': sendgridInboundConnector,
  ses: withSender(sesConnector, SENDERS.ses),
  shopify: shopifyConnector,
  site: siteConnector,
  square: squareConnector,
  telegram: withSender(telegramConnector, SENDERS.telegram),
  twilio: withSender(twilioConnector, SENDERS.twilio),
  typeform: typeformConnector,
  viber: withSender(viberConnector, SENDERS.viber),
  whatsapp: withSender(whatsappConnector, SENDERS.whatsapp),
  woocommerce: woocommerceConnector,
  zendesk: zendeskConnector,
  // biome-ignore lint/suspicious/noExplicitAny: a payload type is existential (parse makes it, normalize takes it); the registry can only erase it
} satisfies Record<string, Connector<any>>;

export type ConnectorName = keyof typeof CONNECTORS;

export const listConnectors = (): Connector<unknown>[] => Object.values(CONNECTORS) as Connector<unknown>[];

export const findConnector = (name: string | undefined): Connector<unknown> | undefined =>
  name !== undefined && Object.hasOwn(CONNECTORS, name)
    ? (CONNECTORS as Record<string, Connector<unknown>>)[name]
    : undefined;

export { secretEnvName } from './shared/secret-env.js';
