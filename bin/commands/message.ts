/** `omnihub message`: send a message to a customer through the channel she uses. */
import { randomUUID } from 'node:crypto';
import { MessageAcceptedSchema, ReachabilitySchema } from '../../functions/handlers/api/messages.js';
import { OUTBOUND_CHANNELS, PURPOSES } from '../../functions/domain/reachability/types.js';
import {
  type Command,
  CommandFailedError,
  EXIT,
  parseCommandArgs,
  printResult,
  TARGET_HELP,
  UsageError,
} from '../cli.js';
import { HubClient, HubResponseError } from '../hub-client.js';
import { resolveCustomerId } from '../support/customers.js';
import { renderPlan } from './reach.js';

const HELP = `omnihub message <customerId | type:value> --text <text> [--purpose service|transactional|marketing]
                [--template <name:language>] [--param <value>]… [--channel <channel>] [--subject <subject>]
                [--idempotency-key <key>]

Queues a message for the customer; the hub picks the channel by the
reachability rules (docs/outbound.md) unless --channel forces one.
--purpose defaults to service. --template (WhatsApp outside the 24 h
window, WhatsApp marketing) is name:language, e.g. order_update:en_US, its
body variables given by --param in order. Repeating the command with the
same --idempotency-key sends once (the default key is new each run and is
printed). When no channel may carry it, prints why for each channel.
Example:
  omnihub message telegram:123456 --text "Your order has shipped"

${TARGET_HELP}`;

export const messageCommand: Command = {
  words: ['message'],
  summary: 'send a message to a customer on the channel she actually uses',
  help: HELP,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        text: { type: 'string' },
        purpose: { type: 'string' },
        template: { type: 'string' },
        param: { type: 'string', multiple: true },
        channel: { type: 'string' },
        subject: { type: 'string' },
        'idempotency-key': { type: 'string' },
      },
      HELP,
    );
    const [who] = positionals;
    if (!who) throw new UsageError('Missing the customer: an id or type:value', HELP);
    if (!values.text && !values.template) throw new UsageError('Give --text, --template or both', HELP);
    const purpose = values.purpose ?? 'service';
    if (!(PURPOSES as readonly string[]).includes(purpose))
      throw new UsageError(`--purpose must be one of ${PURPOSES.join(', ')}`, HELP);
    if (values.channel && !(OUTBOUND_CHANNELS as readonly string[]).includes(values.channel))
      throw new UsageError(`--channel must be one of ${OUTBOUND_CHANNELS.join(', ')}`, HELP);
    const [name, language, ...rest] = (values.template ?? '').split(':');
    if (values.template && (!name || !language || rest.length))
      throw new UsageError('--template must be name:language, e.g. order_update:en_US', HELP);
    const idempotencyKey = values['idempotency-key'] ?? `cli-${randomUUID()}`;
    const hub = HubClient.fromOptions(values, ctx);
    const customerId = await resolveCustomerId(hub, who);
    const path = `/v1/customers/${encodeURIComponent(customerId)}`;
    try {
      const accepted = await hub.post(`${path}/messages`, {
        body: {
          purpose,
          ...(values.text ? { text: values.text } : {}),
          ...(values.subject ? { subject: values.subject } : {}),
          ...(values.template
            ? { template: { name, language, ...(values.param?.length ? { parameters: values.param } : {}) } }
            : {}),
          ...(values.channel ? { channel: values.channel } : {}),
          idempotencyKey,
        },
        schema: MessageAcceptedSchema,
      });
      printResult(
        ctx,
        values.json,
        accepted,
        `${accepted.messageId} ${accepted.status} via ${accepted.channel} (${accepted.mode})${
          accepted.notBefore ? `, not before ${accepted.notBefore} (quiet hours)` : ''
        }; idempotency key ${idempotencyKey}\nFollow it: GET ${path}/messages/${accepted.messageId}`,
      );
      return EXIT.ok;
    } catch (err) {
      if (!(err instanceof HubResponseError) || !['no_reachable_channel', 'template_required'].includes(err.hubCode))
        throw err;
      // Say why, channel by channel: the same plan the hub decided with.
      const plan = await hub.get(`${path}/reachability`, {
        query: { purpose, channel: values.channel },
        schema: ReachabilitySchema,
      });
      throw new CommandFailedError(`${err.message}\n${renderPlan(plan)}`, { cause: err });
    }
  },
};
