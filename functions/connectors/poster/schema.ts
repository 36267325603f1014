/**
 * Poster POS (joinposter.com) webhooks and the API responses the hydrator
 * reads. The webhook is thin: `{account, account_number, object, object_id,
 * action, time, verify, data?}` names an object and what happened to it;
 * receipts and clients are fetched from the Poster API
 * (https://github.com/joinposter/docs: dash.getTransaction,
 * dash.getTransactionProducts, clients.getClient, settings.getCurrency).
 * Poster returns every number as a string and every sum in hundredths of
 * the account currency ("in kopecks"/"in cents").
 */
import * as z from 'zod';

/** Poster sends scalars as strings or numbers depending on the field and account; both are accepted. */
const Scalar = z.union([z.string(), z.number()]);

export const PosterWebhookSchema = z
  .object({
    account: Scalar,
    account_number: Scalar.optional(),
    object: z.string().min(1),
    object_id: Scalar,
    action: z.string().min(1),
    /** Unix seconds, as a string in the docs example. */
    time: Scalar,
    verify: z.string().min(1),
    /** Extra data of some objects, itself a JSON string. */
    data: z.string().nullish(),
  })
  .loose();
export type PosterWebhook = z.infer<typeof PosterWebhookSchema>;

/** The `data` of a transaction hook: the history entry that triggered it. */
export const PosterTransactionDataSchema = z
  .object({
    transactions_history: z.object({ type_history: z.string().optional() }).loose().optional(),
  })
  .loose();

const Str = Scalar.transform(String);

export const PosterTransactionSchema = z
  .object({
    transaction_id: Str,
    /** 1 open, 2 closed, 3 removed. */
    status: Str,
    /** 0 closed without payment, 1 cash, 2 card, 3 mixed. */
    pay_type: Str.optional(),
    date_close: Str.optional(),
    payed_cash: Str.optional(),
    payed_card: Str.optional(),
    payed_bonus: Str.optional(),
    payed_cert: Str.optional(),
    payed_third_party: Str.optional(),
    payed_ewallet: Str.optional(),
    sum: Str.optional(),
    spot_id: Str.optional(),
    client_id: Str.optional(),
    card_number: Str.nullish(),
    products: z
      .array(
        z
          .object({
            product_id: Str,
            modification_id: Str.optional(),
            num: Str,
            product_price: Str.optional(),
            payed_sum: Str.optional(),
          })
          .loose(),
      )
      .default([]),
  })
  .loose();
export type PosterTransaction = z.infer<typeof PosterTransactionSchema>;

export const PosterTransactionProductSchema = z
  .object({
    product_id: Str,
    product_name: z.string().nullish(),
    modification_id: Str.optional(),
    modificator_name: z.string().nullish(),
    product_code: z.string().nullish(),
    num: Str.optional(),
  })
  .loose();
export type PosterTransactionProduct = z.infer<typeof PosterTransactionProductSchema>;

export const PosterClientSchema = z
  .object({
    client_id: Str,
    firstname: z.string().nullish(),
    lastname: z.string().nullish(),
    patronymic: z.string().nullish(),
    phone: z.string().nullish(),
    /** Digits only, with the country code (`380501111111`). */
    phone_number: z.string().nullish(),
    email: z.string().nullish(),
    card_number: z.string().nullish(),
    client_groups_name: z.string().nullish(),
  })
  .loose();
export type PosterClient = z.infer<typeof PosterClientSchema>;

export const PosterCurrencySchema = z.object({ currency_code_iso: z.string() }).loose();
