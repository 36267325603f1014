/**
 * The Event Webhook's signature: ECDSA P-256 with SHA-256 over UTF-8
 * (`X-Twilio-Email-Event-Webhook-Timestamp` + raw body), base64 of the DER
 * signature, checked with the verification key SendGrid shows (base64
 * SubjectPublicKeyInfo DER)
 * (https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/getting-started-event-webhook-security-features).
 */
import { createPrivateKey, createPublicKey, createSign, createVerify, type KeyObject } from 'node:crypto';

/** The verification key as SendGrid shows it (base64 DER, or a PEM); undefined when it is no P-256 public key. */
export const verificationKey = (value: string): KeyObject | undefined => {
  try {
    const text = value.trim();
    const key = text.startsWith('-----')
      ? createPublicKey(text)
      : createPublicKey({ key: Buffer.from(text, 'base64'), format: 'der', type: 'spki' });
    return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1' ? key : undefined;
  } catch {
    return undefined;
  }
};

export const verifySendGridSignature = (
  key: KeyObject,
  timestamp: string,
  body: Buffer,
  signature: string,
): boolean => {
  // Node's decoder skips stray characters and unused bits; only the canonical encoding is the signature.
  if (Buffer.from(signature, 'base64').toString('base64') !== signature) return false;
  try {
    return createVerify('sha256')
      .update(Buffer.concat([Buffer.from(timestamp, 'utf8'), body]))
      .verify({ key, dsaEncoding: 'der' }, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
};

/** Signs as SendGrid does, with a private key (PEM or base64 PKCS#8 DER): `omnihub send` and tests only. */
export const signSendGrid = (privateKey: string, timestamp: string, body: Buffer): string => {
  const text = privateKey.trim();
  const key = text.startsWith('-----')
    ? createPrivateKey(text)
    : createPrivateKey({ key: Buffer.from(text, 'base64'), format: 'der', type: 'pkcs8' });
  return createSign('sha256')
    .update(Buffer.concat([Buffer.from(timestamp, 'utf8'), body]))
    .sign({ key, dsaEncoding: 'der' }, 'base64');
};
