/**
 * Binotel PUSH webhooks (`application/x-www-form-urlencoded` with PHP-style
 * nested keys, decoded by `parseNestedForm`). Every request has a
 * `requestType`; only `apiCallCompleted` is modelled in detail, under
 * `callDetails[...]`. The other request types are flat and acknowledged.
 *
 * Field names: Binotel's WebHooks docs (developers.binotel.ua) as implemented
 * by the SDK `sashalenz/binotel-api` (`src/ResponseData/StatData.php`,
 * `HistoryData`, `CustomerData`, `EmployeeData`, `PbxNumberData`,
 * `CallTrackingData`, `GetCallData`, `Enums/DispositionEnum.php`) and real
 * deliveries quoted in public code. Form values are strings; PHP empties
 * (`callDetails[customerData]=`) arrive as `''` where an object is expected,
 * so every nested object also accepts the empty string.
 */
import * as z from 'zod';

const Text = z.string().optional();

/** An object, or PHP's empty value for "none" (`key=`), read as absent. */
const objectOrEmpty = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

const BinotelEmployeeSchema = z.object({ id: Text, name: Text, email: Text, internalNumber: Text }).loose();

const BinotelCustomerSchema = z.object({ id: Text, name: Text, email: Text, description: Text }).loose();

const BinotelPbxNumberSchema = z.object({ number: Text, name: Text }).loose();

/** UTM of a call-tracking number (`callTrackingData`) or a website callback (`getCallData`). */
const BinotelTrackingSchema = z
  .object({
    utm_source: Text,
    utm_medium: Text,
    utm_campaign: Text,
    utm_content: Text,
    utm_term: Text,
    gaClientId: Text,
    domain: Text,
    fullUrl: Text,
  })
  .loose();

const BinotelCallDetailsSchema = z
  .object({
    /** One id per call across transfers and legs: the dedup key. */
    generalCallID: z.string().min(1),
    callID: Text,
    companyID: Text,
    /** Unix seconds. */
    startTime: Text,
    /** `0` incoming, `1` outgoing. */
    callType: Text,
    internalNumber: Text,
    /** The customer, usually national (`0971234567`). */
    externalNumber: Text,
    waitsec: Text,
    billsec: Text,
    /** ANSWER, TRANSFER, BUSY, NOANSWER, CANCEL, CONGESTION, CHANUNAVAIL, VM, VM-SUCCESS, SMS-*, … */
    disposition: Text,
    recordingStatus: Text,
    isNewCall: Text,
    whoHungUp: Text,
    customerData: objectOrEmpty(BinotelCustomerSchema),
    employeeData: objectOrEmpty(BinotelEmployeeSchema),
    pbxNumberData: objectOrEmpty(BinotelPbxNumberSchema),
    callTrackingData: objectOrEmpty(BinotelTrackingSchema),
    getCallData: objectOrEmpty(BinotelTrackingSchema),
    historyData: z.unknown().optional(),
    /** Recording in my.binotel.ua (needs a Binotel login to open). */
    linkToCallRecordInMyBusiness: Text,
    linkToCallRecordOverlayInMyBusiness: Text,
  })
  .loose();
export type BinotelCallDetails = z.infer<typeof BinotelCallDetailsSchema>;

/** What every Binotel webhook has. */
export const BinotelRequestSchema = z.object({ requestType: z.string().min(1) }).loose();

export const BinotelCallCompletedSchema = z
  .object({
    requestType: z.literal('apiCallCompleted'),
    attemptsCounter: Text,
    callDetails: BinotelCallDetailsSchema,
  })
  .loose();
export type BinotelCallCompleted = z.infer<typeof BinotelCallCompletedSchema>;

/** A webhook the hub only acknowledges (apiCallSettings, receivedTheCall, …). */
export type BinotelOtherRequest = z.infer<typeof BinotelRequestSchema>;

export type BinotelWebhook = BinotelCallCompleted | BinotelOtherRequest;

export const isCallCompleted = (payload: BinotelWebhook): payload is BinotelCallCompleted =>
  payload.requestType === 'apiCallCompleted';
