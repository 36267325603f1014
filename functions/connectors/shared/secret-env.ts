/**
 * Local environment variable of a connector secret: `OMNIHUB_SECRET_<NAME>`
 * (signing secret or token), `OMNIHUB_VERIFY_TOKEN_<NAME>` (handshakes),
 * `OMNIHUB_API_TOKEN_<NAME>` / `OMNIHUB_API_BASE_URL_<NAME>` (vendor API for
 * hydrating thin webhooks, and for sending), `OMNIHUB_SENDER_<NAME>` (the
 * sender identity: WhatsApp phone-number id, Twilio number, email From…),
 * `OMNIHUB_SIGNING_KEY_<NAME>` (a test private key for public-key vendors, local only).
 * On AWS the same names are keys of the connector's Secrets Manager secret.
 */
export const secretEnvName = (
  kind: 'SECRET' | 'VERIFY_TOKEN' | 'API_TOKEN' | 'API_BASE_URL' | 'SENDER' | 'SIGNING_KEY',
  connector: string,
): string => `OMNIHUB_${kind}_${connector.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
