/**
 * Meta's webhook signature, shared by WhatsApp, Messenger and Instagram; it
 * lives in `../shared/meta-signature.ts` and is re-exported here for the
 * WhatsApp connector's existing imports.
 */
export { META_SIGNATURE_HEADER, metaSignature, verifyMetaSignature } from '../shared/meta-signature.js';
