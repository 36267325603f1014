/**
 * Amazon SES via SNS, edge cases the fixtures can't express: the canonical
 * string (AWS doc known answers), real SNS signatures v1 and v2 checked
 * against the real SNS certificate (AWS SDK for Java v2 test vectors),
 * certificates made with openssl at test time, the SigningCertURL guard (no
 * fetch for a foreign host), TopicArn, replay window, the certificate cache,
 * the SES receipt mapping (spam/virus, senders, MIME snippets) and the
 * subscription confirmation through the hydrator and the local hub.
 */
import { execFileSync } from 'node:child_process';
import tls from 'node:tls';
import { createSign, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createSesConnector,
  SNS_MAX_AGE_SECONDS,
  SNS_MAX_FUTURE_SKEW_SECONDS,
  sesConnector,
} from '../../functions/connectors/ses/index.js';
import { AMAZON_ISSUING_CAS, AMAZON_ROOT_CAS } from '../../functions/connectors/ses/amazon-trust.js';
import {
  AMAZON_TRUST_STORE,
  CertificateUnavailableError,
  chainToRoot,
  SAMPLE_CERT_URL,
  SigningKeyCache,
  snsStringToSign,
  trustStoreFromPems,
  type TrustStore,
} from '../../functions/connectors/ses/signature.js';
import type { HydrationRequest, NormalizeContext } from '../../functions/connectors/types.js';
import { identityKey } from '../../functions/domain/identity.js';
import { HubEventSchema } from '../../functions/events/hub-event.js';
import { ValidationError } from '../../functions/shared/errors.js';
import { rawRequest, signedRequest, TEST_BASE_URL } from '../helpers/fixtures.js';
import { api, fixture, postWebhook, startTestHub, TEST_SECRET } from '../helpers/hub.js';

// Prepare (shared)
const URL_SES = `${TEST_BASE_URL}/webhooks/ses`;
const CTX: NormalizeContext = { receivedAt: '2024-05-01T12:00:05.000Z', defaultCountry: 'UA' };
const TOPIC = 'arn:aws:sns:eu-central-1:123456789012:omnihub-inbound';
const CERT_URL =
  'https://sns.eu-central-1.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem';

type SnsMessage = Record<string, string>;

const request = (message: SnsMessage | string, headers: Record<string, string> | undefined = undefined) => {
  const body = typeof message === 'string' ? message : JSON.stringify(message);
  const type = typeof message === 'string' ? undefined : message.Type;
  return rawRequest({
    url: URL_SES,
    headers: headers ?? {
      'content-type': 'text/plain; charset=UTF-8',
      ...(type ? { 'x-amz-sns-message-type': type } : {}),
    },
    body,
  });
};

/** Signs like SNS, independently of the connector's signer: node:crypto over the canonical string. */
const signAs = (fields: SnsMessage, privateKeyPem: string, version: '1' | '2' = '2'): SnsMessage => {
  const message: SnsMessage = { SignatureVersion: version, SigningCertURL: CERT_URL, ...fields };
  const stringToSign = snsStringToSign(message);
  if (stringToSign === undefined) throw new Error('test message lacks a signed field');
  message.Signature = createSign(version === '1' ? 'RSA-SHA1' : 'RSA-SHA256')
    .update(stringToSign, 'utf8')
    .sign(privateKeyPem, 'base64');
  return message;
};

const notification = (now: Date, overrides: SnsMessage = {}): SnsMessage => ({
  Type: 'Notification',
  MessageId: '8a1e5a3b-1f4c-5d2e-9b7a-6c5d4e3f2a10',
  TopicArn: TOPIC,
  Subject: 'Amazon SES Email Receipt Notification',
  Message: 'hello',
  Timestamp: now.toISOString(),
  ...overrides,
});

// ------------------------------------------------------------------ AWS SDK for Java v2 vectors

/**
 * Real SNS messages and the SNS certificate that signed them, verbatim from
 * aws/aws-sdk-java-v2 services-custom/sns-message-manager/src/test/resources/
 * software/amazon/awssdk/messagemanager/sns/internal/ (certificate valid
 * 2025-11-10 → 2026-10-14, so `now` is pinned to the message time).
 */
const AWS_TOPIC = 'arn:aws:sns:us-west-2:131990247566:dongie-standard-topic';
const AWS_CERT_URL =
  'https://sns.us-west-2.amazonaws.com/SimpleNotificationService-7506a1e35b36ef5a444dd1a8e7cc3ed8.pem';
const AWS_CERT_PEM = `-----BEGIN CERTIFICATE-----
MIIFxTCCBK2gAwIBAgIQBkyRNHAyygLkObkxH5ju+zANBgkqhkiG9w0BAQsFADA8
MQswCQYDVQQGEwJVUzEPMA0GA1UEChMGQW1hem9uMRwwGgYDVQQDExNBbWF6b24g
UlNBIDIwNDggTTAxMB4XDTI1MTExMDAwMDAwMFoXDTI2MTAxNDIzNTk1OVowHDEa
MBgGA1UEAxMRc25zLmFtYXpvbmF3cy5jb20wggEiMA0GCSqGSIb3DQEBAQUAA4IB
DwAwggEKAoIBAQChbVNQ+DEaT5WN+l+bg0iEeF666Z6LDFc1KJr4lNl0odcXQSsk
KsZYCMVdp4I/Ikk9zWyckRTMkmQGYimpD+bTsMCP5C/sJIU0E9Y2OXjjl5Videkq
qnRL9VdE5N41Rvks7S/5MpYcSmCsmaHfwcv82Gvx2zm9CrA5Xu7K2ZqhzRQPCRSP
mHTHQr4ED63ujE+qTpPgQZ0TvgmcrAc08Z75Z7Zzs17aTNc3YhAtQx9WowN8uiHk
kgc+ONNdtwKvWZNmnbmxMHYtYc291WCP1K1Nh4TV5XNyjIebzQKDrqTCN0ItAr1x
e6Bl3BYS3SG9XHAy0q3ekITzQsKypcuaK6dTAgMBAAGjggLhMIIC3TAfBgNVHSME
GDAWgBSBuA5jiokSGOX6OztQlZ/m5ZAThTAdBgNVHQ4EFgQUBQEUzzzuVJAKzAlR
d0Q//W6HvZUwHAYDVR0RBBUwE4IRc25zLmFtYXpvbmF3cy5jb20wEwYDVR0gBAww
CjAIBgZngQwBAgEwDgYDVR0PAQH/BAQDAgWgMBMGA1UdJQQMMAoGCCsGAQUFBwMB
MDsGA1UdHwQ0MDIwMKAuoCyGKmh0dHA6Ly9jcmwucjJtMDEuYW1hem9udHJ1c3Qu
Y29tL3IybTAxLmNybDB1BggrBgEFBQcBAQRpMGcwLQYIKwYBBQUHMAGGIWh0dHA6
Ly9vY3NwLnIybTAxLmFtYXpvbnRydXN0LmNvbTA2BggrBgEFBQcwAoYqaHR0cDov
L2NydC5yMm0wMS5hbWF6b250cnVzdC5jb20vcjJtMDEuY2VyMAwGA1UdEwEB/wQC
MAAwggF/BgorBgEEAdZ5AgQCBIIBbwSCAWsBaQB3ANdtfRDRp/V3wsfpX9cAv/mC
yTNaZeHQswFzF8DIxWl3AAABmnAb33MAAAQDAEgwRgIhANXAgMEZWU326cqxqwnf
ntD0XcBjRbmvVMOp3hZ8boPXAiEAkI3NTMXcdLCChHak1ipOae7K7r3spMGUMk6Q
cEUKqBEAdgDCMX5XRRmjRe5/ON6ykEHrx8IhWiK/f9W1rXaa2Q5SzQAAAZpwG9+u
AAAEAwBHMEUCIQD+Qyok8NYaFuQkccW+XIMmxHxj6Yka2wjtg6UN/tbU5wIgcp4z
8MyC/dUfeLRuHAt0owtVgEu7xXqrMBOYlbXrfC4AdgDLOPcViXyEoURfW8Hd+8lu
8ppZzUcKaQWFsMsUwxRY5wAAAZpwG9+yAAAEAwBHMEUCIQCmu1jQUG9A2br7OqwM
FvQXtBX10yIvvDa6a2Ov1Zgg6gIgKlqRvN6WhX0pSHAN2bKmjRwIUI3X9kjS/A/m
DYULaV4wDQYJKoZIhvcNAQELBQADggEBAIbTQWQhqrG6SzwLq79tKCpI0aL0xlD+
/jrGPxpwTlK7rtAArHiEVh/bsmwLYRlIxPBiU+NE/kqeT0lhJA6/e3X3KRmnpJ6u
Z70PJGYwmZbSRsFom0vGFBMncX0qYx1iD0dooPeAkkSnM5j81rBh+FepV3HfF+tA
9gaglWLsU7Z/A0fdn9D32UPreVHloOut5EyEinvXRUAWZco9CRloyEXJr7Mxq9MZ
vYOK+5wuSPHnPij+fGlQsPxEgoTnCmU03PqNS49kL13jjEnYYdijqL+4rfHtuZbc
4hlVoZfttwg8wD3m5brhQ+GkBBNYN8HFtdVy/BnFi+SPJqv6BgB3Y00=
-----END CERTIFICATE-----
`;

const AWS_NOTIFICATION_NO_SUBJECT = `{
  "Type" : "Notification",
  "MessageId" : "c0e5a280-53c9-5a98-93bb-c0a560b3d192",
  "TopicArn" : "arn:aws:sns:us-west-2:131990247566:dongie-standard-topic",
  "Message" : "This notification has no subject.",
  "Timestamp" : "2026-03-06T19:55:38.903Z",
  "SignatureVersion" : "1",
  "Signature" : "h5/2kLNyPKvMH+ipOA1kueaA1GLFlcKbO/9o6GbH7BtKk/8lM8krPFDrV+Lwuq8yZDXTxeSXHR8pG1w9MkKQ3VlsHhMigy+5ejIsb+ZfpkDDO6dOACbkTg1twy9tLeKCyPfU01OokKTR6jlKJGCgXXDQm5Q1Fs4NfUz22xGqteycG1GIioqq2Hvd1PLsDkcoyUAhciugGFcZKIGjUbBtdhMTPFX1ed8iH+Y/p6o/eD0G2i614oRSXYRJyV2iNpl54LCCiCrAafAJAM5NXAJJq9CWyTjxHFC18FnPqSukW1/6Qa502oujhPJ/pyl+6mMBoF6LjnpbIyR8/Gmm+RY6fg==",
  "SigningCertURL" : "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-7506a1e35b36ef5a444dd1a8e7cc3ed8.pem",
  "UnsubscribeURL" : "https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-west-2:131990247566:dongie-standard-topic:b24e11a2-06bd-4e73-aa29-0ed2de3b41b5"
}`;

const AWS_NOTIFICATION_WITH_SUBJECT = `{
  "Type" : "Notification",
  "MessageId" : "26858270-545e-5848-82a2-e05566af3dcf",
  "TopicArn" : "arn:aws:sns:us-west-2:131990247566:dongie-standard-topic",
  "Subject" : "My message subject",
  "Message" : "Hello! This message has a subject.",
  "Timestamp" : "2026-03-06T19:53:21.424Z",
  "SignatureVersion" : "1",
  "Signature" : "jvNSgHVOF9KUOKI3bmQZhURD0kDN6txhfjiyuvnV95Dw6b2SRa7nq3AhM8agP0KUCIrRgKHqUlN6K2XBA35Lzkx1eI5RT0oXIN00pvvzGxSz0ddnuSGmDJM7bd/b1vl2RlLjz+KvkhzEtspxLnxjLsGl2EpOmztt+um7owb4475sOLdGTx1QiFV/8HqB2J0DyjeWdRZvu7Xpsf1Yd2rgmijFoz8x89Vw8pIksjczr4q16pxdh/XKWjbN2uPoC+3EeYdljL8KUvLYH9ueHSs5E9qq2iLdze4+FtANnE73XRvvSGE0KI+FGOvz1igest6qon3g1/CVy4mq3n19TsCSmA==",
  "SigningCertURL" : "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-7506a1e35b36ef5a444dd1a8e7cc3ed8.pem",
  "UnsubscribeURL" : "https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-west-2:131990247566:dongie-standard-topic:b24e11a2-06bd-4e73-aa29-0ed2de3b41b5"
}`;

const AWS_NOTIFICATION_V2 = `{
  "Type" : "Notification",
  "MessageId" : "9d2c5580-b61d-550c-8583-37a582870907",
  "TopicArn" : "arn:aws:sns:us-west-2:131990247566:dongie-standard-topic",
  "Message" : "This message uses signature version 2.",
  "Timestamp" : "2026-03-06T20:00:26.893Z",
  "SignatureVersion" : "2",
  "Signature" : "kGNJ7FIM5DJxRv9bdoSJBty2WHpADFWrJ0ZQU/A2sALy6tBE5hqfUvPRlklTJ+PACFMguoFOO7W6ac/Bs4gR+JBRFhx4598X8/HWzrmaLrtB2f7nzViHbpzYN+u+OewXhxjj2lNsu0bLKv6fogkACytDIOhjZylbfJoPphDYAB7T3Ila7u+K3m2wLHH4k1cPYKyBf5FI/kAoQAVsY6qFHeb6CWfHsdM98I2gwyEvwJSzW0iyYBfqckmthQwH3Ex53jrhQlZylXFDYmstSJAdvbLeGqIUxKyk+O25wYgBjbbbeR+2qE2UCGEQrk1Bq018wmTxdHZmDhoBjJXiGmFkfg==",
  "SigningCertURL" : "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-7506a1e35b36ef5a444dd1a8e7cc3ed8.pem",
  "UnsubscribeURL" : "https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-west-2:131990247566:dongie-standard-topic:b24e11a2-06bd-4e73-aa29-0ed2de3b41b5"
}`;

const AWS_SUBSCRIPTION_CONFIRMATION = `{
  "Type" : "SubscriptionConfirmation",
  "MessageId" : "f3f2fc87-c426-4c2f-9044-b55890c0939c",
  "Token" : "2336412f37fb687f5d51e6e2425929f52e8e353134fe72d55ef8b330217d82da14007cbccefffd35b695feb8f0294d01fd9644f41e1ddfad261519a2c0bac743ff375eeb64530147d2da57f3acc54739da14c8dbd48a9d58ce996eff0d498ea6b4b9f58720d8959b52b99b8de148081720d7da17434e376614a00c992e7823e4",
  "TopicArn" : "arn:aws:sns:us-west-2:131990247566:dongie-standard-topic",
  "Message" : "You have chosen to subscribe to the topic arn:aws:sns:us-west-2:131990247566:dongie-standard-topic.\\nTo confirm the subscription, visit the SubscribeURL included in this message.",
  "SubscribeURL" : "https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-west-2:131990247566:dongie-standard-topic&Token=2336412f37fb687f5d51e6e2425929f52e8e353134fe72d55ef8b330217d82da14007cbccefffd35b695feb8f0294d01fd9644f41e1ddfad261519a2c0bac743ff375eeb64530147d2da57f3acc54739da14c8dbd48a9d58ce996eff0d498ea6b4b9f58720d8959b52b99b8de148081720d7da17434e376614a00c992e7823e4",
  "Timestamp" : "2026-03-06T19:31:32.895Z",
  "SignatureVersion" : "1",
  "Signature" : "Ce2Ax8UbEq0RrVH7gsjP9WZ9bzif7dUkAY4OH99Pv7FSrvs8cK+uiH3a6ig54rXWUnZRUejk8K6KeK5Q80O9iJp8KbPRKdQ0PkJ3YASdabhfK0e7evC05YR2pFoS6nNaqNzT7HrR1d1Z9iLoFxluo2Dzb7kWVB7e9jp/y+ZBXRzRIaZgscM84kahBc6QgXOFJA1/PFA4cB5qaa6tBcUFtTE63o9vJ4wMmKk93W9MoszC+dNJeVFr8VHmt3toR+3JauBCZnGdgXgsDhni4PduSfWJJxEpuOK41iYf1hW+xFNFFsv46siTFiHdHiYDfI7/VlaY4spMgkq3EndRr7rHzQ==",
  "SigningCertURL" : "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-7506a1e35b36ef5a444dd1a8e7cc3ed8.pem"
}`;

const AWS_UNSUBSCRIBE_CONFIRMATION = readFileSync(
  'functions/connectors/ses/fixtures/unsubscribe-confirmation.json',
  'utf8',
);

const AWS_VECTORS = [
  ['a v1 notification without Subject', AWS_NOTIFICATION_NO_SUBJECT],
  ['a v1 notification with Subject', AWS_NOTIFICATION_WITH_SUBJECT],
  ['a v2 notification', AWS_NOTIFICATION_V2],
  ['a v1 SubscriptionConfirmation', AWS_SUBSCRIPTION_CONFIRMATION],
  ['a v2 UnsubscribeConfirmation', AWS_UNSUBSCRIBE_CONFIRMATION],
] as const;

/** Verifies a real AWS message as delivered: `now` a few seconds after its Timestamp. */
const verifyAws = async (
  json: string,
  change: (m: SnsMessage) => void = () => undefined,
  connector = createSesConnector({ fetchCertificate: async () => AWS_CERT_PEM }),
) => {
  const message = JSON.parse(json) as SnsMessage;
  change(message);
  const now = new Date(Date.parse(JSON.parse(json).Timestamp as string) + 5_000);
  return connector.verify(request(message), { secret: AWS_TOPIC }, { now });
};

// ------------------------------------------------------------------ openssl certificates

let workDir: string;
let snsKeyPem: string;
let snsCertPem: string;
let otherCnKeyPem: string;
let otherCnCertPem: string;
/** A CA made for the tests; the connectors built by `withCertificate` trust it instead of Amazon's roots. */
let testCa: { key: string; cert: string; keyPath: string; certPath: string };
let testTrust: TrustStore;

const run = (args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });

/** One RSA key for every leaf (SNS signs with RSA); generating one per certificate only costs time. */
let leafKeyPath: string;

/** A self-signed CA certificate (`basicConstraints CA:TRUE`), on a P-256 key (fast to make). */
const opensslCa = (dir: string, name: string, cn: string, days = 3) => {
  const keyPath = join(dir, `${name}.key`);
  const certPath = join(dir, `${name}.pem`);
  run([
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    keyPath,
    '-out',
    certPath,
    '-subj',
    `/CN=${cn}`,
    '-days',
    String(days),
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return { keyPath, certPath, key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8') };
};

/**
 * A certificate for `cn`, signed by `issuer` (a CA from `opensslCa`), or
 * self-signed without one; `ca` makes it an intermediate CA.
 */
const openssl = (
  dir: string,
  name: string,
  cn: string,
  days: number,
  issuer?: { keyPath: string; certPath: string },
  ca = false,
): { key: string; cert: string; keyPath: string; certPath: string } => {
  const keyPath = ca ? join(dir, `${name}.key`) : leafKeyPath;
  const certPath = join(dir, `${name}.pem`);
  if (ca) run(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', keyPath]);
  if (!issuer) {
    run(['req', '-x509', '-key', keyPath, '-out', certPath, '-subj', `/CN=${cn}`, '-days', String(days)]);
  } else {
    const csr = join(dir, `${name}.csr`);
    const ext = join(dir, `${name}.ext`);
    writeFileSync(
      ext,
      ca ? 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n' : 'basicConstraints=CA:FALSE\n',
    );
    run(['req', '-new', '-key', keyPath, '-out', csr, '-subj', `/CN=${cn}`]);
    run([
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      issuer.certPath,
      '-CAkey',
      issuer.keyPath,
      '-CAcreateserial',
      '-out',
      certPath,
      '-days',
      String(days),
      '-extfile',
      ext,
    ]);
  }
  return { keyPath, certPath, key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8') };
};

beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'omnihub-ses-'));
  leafKeyPath = join(workDir, 'leaf.key');
  run(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', leafKeyPath]);
  testCa = opensslCa(workDir, 'test-root', 'Omnihub Test Root CA');
  testTrust = trustStoreFromPems([testCa.cert]);
  ({ key: snsKeyPem, cert: snsCertPem } = openssl(workDir, 'sns', 'sns.amazonaws.com', 2, testCa));
  ({ key: otherCnKeyPem, cert: otherCnCertPem } = openssl(workDir, 'other', 'evil.example.com', 2, testCa));
});

afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

/** A connector trusting the test CA, whose certificate fetcher serves `pem` and records every URL. */
const withCertificate = (pem: () => string = () => snsCertPem, trustStore: () => TrustStore = () => testTrust) => {
  const fetched: string[] = [];
  const connector = createSesConnector({
    fetchCertificate: async (url) => {
      fetched.push(url);
      return pem();
    },
    trustStore: trustStore(),
  });
  return { connector, fetched };
};

describe('Connector: ses', () => {
  describe('string to sign (AWS doc known answers)', () => {
    it('builds the Notification string of the AWS example, Subject included', () => {
      // Prepare: "Verifying the signatures of Amazon SNS messages", Notification example.
      const message = {
        Type: 'Notification',
        MessageId: '4d4dc071-ddbf-465d-bba8-08f81c89da64',
        TopicArn: 'arn:aws:sns:us-east-2:123456789012:s4-MySNSTopic-1G1WEFCOXTC0P',
        Subject: 'My subject',
        Message: 'My Test Message',
        Timestamp: '2019-01-31T04:37:04.321Z',
        SignatureVersion: '1',
        Signature: 'x',
        SigningCertURL: 'https://example',
        UnsubscribeURL: 'https://example',
      };

      // Act
      const result = snsStringToSign(message);

      // Assess
      expect(result).toBe(
        'Message\nMy Test Message\nMessageId\n4d4dc071-ddbf-465d-bba8-08f81c89da64\nSubject\nMy subject\nTimestamp\n2019-01-31T04:37:04.321Z\nTopicArn\narn:aws:sns:us-east-2:123456789012:s4-MySNSTopic-1G1WEFCOXTC0P\nType\nNotification\n',
      );
    });

    it('builds the SubscriptionConfirmation string of the AWS example (SubscribeURL and Token, no Subject)', () => {
      // Prepare
      const message = {
        Type: 'SubscriptionConfirmation',
        MessageId: '3d891288-136d-417f-bc05-901c108273ee',
        Token: '233...',
        TopicArn: 'arn:aws:sns:us-east-2:123456789012:s4-MySNSTopic-1G1WEFCOXTC0P',
        Message: 'My Test Message',
        SubscribeURL:
          'https://sns.us-east-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-2:123456789012:s4-MySNSTopic-1G1WEFCOXTC0P&Token=233...',
        Timestamp: '2019-01-31T19:25:13.719Z',
        Subject: 'ignored for confirmations',
      };

      // Act
      const result = snsStringToSign(message);

      // Assess
      expect(result).toBe(
        'Message\nMy Test Message\nMessageId\n3d891288-136d-417f-bc05-901c108273ee\nSubscribeURL\nhttps://sns.us-east-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-2:123456789012:s4-MySNSTopic-1G1WEFCOXTC0P&Token=233...\nTimestamp\n2019-01-31T19:25:13.719Z\nToken\n233...\nTopicArn\narn:aws:sns:us-east-2:123456789012:s4-MySNSTopic-1G1WEFCOXTC0P\nType\nSubscriptionConfirmation\n',
      );
    });

    it('leaves Subject out when it is absent or null', () => {
      // Prepare
      const base = { Type: 'Notification', MessageId: 'm', TopicArn: 't', Message: 'x', Timestamp: 'ts' };

      // Act & Assess
      expect(snsStringToSign(base)).toBe('Message\nx\nMessageId\nm\nTimestamp\nts\nTopicArn\nt\nType\nNotification\n');
      expect(snsStringToSign({ ...base, Subject: null })).toBe(snsStringToSign(base));
    });

    it('keeps control characters of Message as the JSON decoded them', () => {
      // Act
      const result = snsStringToSign({
        Type: 'Notification',
        MessageId: 'm',
        TopicArn: 't',
        Message: 'a\nb\t"c"',
        Timestamp: 'ts',
      });

      // Assess
      expect(result).toContain('Message\na\nb\t"c"\nMessageId');
    });

    it.each([
      ['an unknown Type', { Type: 'Weird', MessageId: 'm', TopicArn: 't', Message: 'x', Timestamp: 'ts' }],
      [
        'a confirmation without Token',
        {
          Type: 'SubscriptionConfirmation',
          MessageId: 'm',
          TopicArn: 't',
          Message: 'x',
          Timestamp: 'ts',
          SubscribeURL: 'u',
        },
      ],
      ['a notification without Timestamp', { Type: 'Notification', MessageId: 'm', TopicArn: 't', Message: 'x' }],
    ])('has no string to sign for %s', (_, message) => {
      // Act & Assess
      expect(snsStringToSign(message)).toBeUndefined();
    });
  });

  describe('real SNS signatures (AWS SDK for Java v2 vectors)', () => {
    it('parses the SDK certificate as the SNS signing certificate', () => {
      // Act
      const cert = new X509Certificate(AWS_CERT_PEM);

      // Assess
      expect(cert.subject).toBe('CN=sns.amazonaws.com');
    });

    it.each(AWS_VECTORS)('accepts %s signed by SNS', async (_, json) => {
      // Act
      const result = await verifyAws(json);

      // Assess
      expect(result).toEqual({ ok: true });
    });

    it('fetches the certificate once for all of them (cache)', async () => {
      // Prepare
      const fetched: string[] = [];
      const connector = createSesConnector({
        fetchCertificate: async (url) => {
          fetched.push(url);
          return AWS_CERT_PEM;
        },
      });

      // Act
      const results = await Promise.all(AWS_VECTORS.map(([, json]) => verifyAws(json, undefined, connector)));

      // Assess
      expect(results.every((r) => r.ok)).toBe(true);
      expect(fetched).toEqual([AWS_CERT_URL]);
    });

    it.each([
      ['the Message changed', (m: SnsMessage) => void (m.Message = 'This message uses signature version 3.')],
      ['the Timestamp changed by a millisecond', (m: SnsMessage) => void (m.Timestamp = '2026-03-06T20:00:26.894Z')],
      ['a Subject added', (m: SnsMessage) => void (m.Subject = 'added')],
      ['SignatureVersion downgraded to 1', (m: SnsMessage) => void (m.SignatureVersion = '1')],
    ])('refuses the v2 notification with %s', async (_, change) => {
      // Act
      const result = await verifyAws(AWS_NOTIFICATION_V2, change);

      // Assess
      expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/signature does not match/) });
    });

    it('refuses the notification whose Subject was removed', async () => {
      // Act
      const result = await verifyAws(AWS_NOTIFICATION_WITH_SUBJECT, (m) => void delete m.Subject);

      // Assess
      expect(result.ok).toBe(false);
    });

    it('refuses a confirmation whose SubscribeURL was redirected elsewhere', async () => {
      // Act
      const result = await verifyAws(AWS_SUBSCRIPTION_CONFIRMATION, (m) => {
        m.SubscribeURL =
          'https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-west-2:999999999999:other&Token=1';
      });

      // Assess
      expect(result.ok).toBe(false);
    });

    it('refuses the real message for another topic than the configured one', async () => {
      // Prepare
      const { connector, fetched } = withCertificate(() => AWS_CERT_PEM);
      const now = new Date('2026-03-06T20:00:30.000Z');

      // Act
      const result = await connector.verify(
        request(JSON.parse(AWS_NOTIFICATION_V2) as SnsMessage),
        { secret: TOPIC },
        { now },
      );

      // Assess
      expect(result).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/TopicArn .* is not the configured topic/),
      });
      expect(fetched).toEqual([]);
    });

    it('refuses a real message replayed after the window (and the certificate is not even fetched)', async () => {
      // Prepare
      const { connector, fetched } = withCertificate(() => AWS_CERT_PEM);
      const now = new Date(Date.parse('2026-03-06T20:00:26.893Z') + (SNS_MAX_AGE_SECONDS + 1) * 1000);

      // Act
      const result = await connector.verify(
        request(JSON.parse(AWS_NOTIFICATION_V2) as SnsMessage),
        { secret: AWS_TOPIC },
        { now },
      );

      // Assess
      expect(result).toMatchObject({ ok: false, stale: true });
      expect(fetched).toEqual([]);
    });
  });

  describe('verify with certificates made by openssl', () => {
    it.each(['1', '2'] as const)('accepts SignatureVersion %s (SHA%s withRSA)', async (version) => {
      // Prepare
      const { connector, fetched } = withCertificate();
      const now = new Date();
      const message = signAs(notification(now), snsKeyPem, version);

      // Act
      const result = await connector.verify(request(message), { secret: TOPIC }, { now });

      // Assess
      expect(result).toEqual({ ok: true });
      expect(fetched).toEqual([CERT_URL]);
    });

    it('refuses a signature made with SHA1 but labelled version 2', async () => {
      // Prepare
      const { connector } = withCertificate();
      const now = new Date();
      const message = { ...signAs(notification(now), snsKeyPem, '1'), SignatureVersion: '2' };

      // Act
      const result = await connector.verify(request(message), { secret: TOPIC }, { now });

      // Assess
      expect(result.ok).toBe(false);
    });

    it('refuses a message signed by another key than the certificate', async () => {
      // Prepare
      const { connector } = withCertificate();
      const now = new Date();
      const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString();

      // Act
      const result = await connector.verify(request(signAs(notification(now), stranger)), { secret: TOPIC }, { now });

      // Assess
      expect(result).toMatchObject({ ok: false, reason: 'SNS signature does not match' });
    });

    it('refuses a certificate that is not an SNS signing certificate (subject CN)', async () => {
      // Prepare
      const { connector } = withCertificate(() => otherCnCertPem);
      const now = new Date();

      // Act
      const result = await connector.verify(
        request(signAs(notification(now), otherCnKeyPem)),
        { secret: TOPIC },
        { now },
      );

      // Assess
      expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/not an SNS signing certificate/) });
    });

    it('refuses a certificate URL that serves something else than a certificate', async () => {
      // Prepare
      const { connector } = withCertificate(() => '<html>not found</html>');
      const now = new Date();

      // Act
      const result = await connector.verify(request(signAs(notification(now), snsKeyPem)), { secret: TOPIC }, { now });

      // Assess
      expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/not an X\.509 certificate/) });
    });

    it('refuses a message verified after its certificate expired', async () => {
      // Prepare: the openssl certificate is valid for 2 days.
      const { connector } = withCertificate();
      const later = new Date(Date.now() + 3 * 86_400_000);

      // Act
      const result = await connector.verify(
        request(signAs(notification(later), snsKeyPem)),
        { secret: TOPIC },
        { now: later },
      );

      // Assess
      expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/not valid at this time/) });
    });

    it('accepts any of several configured topics (comma separated)', async () => {
      // Prepare
      const { connector } = withCertificate();
      const now = new Date();

      // Act
      const result = await connector.verify(
        request(signAs(notification(now), snsKeyPem)),
        { secret: `arn:aws:sns:us-east-1:1:other, ${TOPIC}` },
        { now },
      );

      // Assess
      expect(result).toEqual({ ok: true });
    });
  });

  describe('certificate chain', () => {
    const verifyWith = async (pem: string, keyPem: string, trust: TrustStore = testTrust, now = new Date()) => {
      const { connector } = withCertificate(
        () => pem,
        () => trust,
      );
      return connector.verify(request(signAs(notification(now), keyPem)), { secret: TOPIC }, { now });
    };

    it('refuses a self-signed certificate named sns.amazonaws.com (what a look-alike host would serve)', async () => {
      // Prepare: right name, right key, valid dates — but nobody trusted issued it.
      const forged = openssl(workDir, 'forged', 'sns.amazonaws.com', 2);

      // Act
      const result = await verifyWith(forged.cert, forged.key);

      // Assess
      expect(result).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/does not chain to a trusted Amazon root/),
      });
    });

    it('refuses a certificate issued by a CA the hub does not trust', async () => {
      // Prepare
      const otherCa = opensslCa(workDir, 'other-root', 'Some Other Root CA');
      const leaf = openssl(workDir, 'other-leaf', 'sns.amazonaws.com', 2, otherCa);

      // Act
      const result = await verifyWith(leaf.cert, leaf.key);

      // Assess
      expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/Some Other Root CA.*does not chain/) });
    });

    it('refuses the real SNS certificate when only the test CA is trusted (the chain is what decides)', async () => {
      // Act
      const result = await verifyAws(
        AWS_NOTIFICATION_V2,
        undefined,
        createSesConnector({ fetchCertificate: async () => AWS_CERT_PEM, trustStore: testTrust }),
      );

      // Assess
      expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/Amazon RSA 2048 M01.*does not chain/) });
    });

    it('follows an intermediate CA sent with the leaf in the same PEM', async () => {
      // Prepare
      const intermediate = openssl(workDir, 'issuing', 'Omnihub Test Issuing CA', 3, testCa, true);
      const leaf = openssl(workDir, 'via-issuing', 'sns.amazonaws.com', 2, intermediate);

      // Act
      const withChain = await verifyWith(`${leaf.cert}${intermediate.cert}`, leaf.key);
      const leafOnly = await verifyWith(leaf.cert, leaf.key);

      // Assess
      expect(withChain).toEqual({ ok: true });
      expect(leafOnly).toMatchObject({ ok: false, reason: expect.stringMatching(/Test Issuing CA.*does not chain/) });
    });

    it('refuses a chain through a certificate that is not a CA', async () => {
      // Prepare: a leaf (CA:FALSE) used as if it were an issuing CA.
      const notCa = openssl(workDir, 'not-ca', 'Omnihub Test Leaf', 3, testCa, false);
      const leaf = openssl(workDir, 'under-leaf', 'sns.amazonaws.com', 2, notCa);

      // Act
      const result = await verifyWith(`${leaf.cert}${notCa.cert}`, leaf.key);

      // Assess
      expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/does not chain/) });
    });

    it('refuses once a CA of the chain has expired, though the leaf is still valid', async () => {
      // Prepare: issuing CA valid 1 day, leaf 30 days.
      const shortCa = openssl(workDir, 'short-ca', 'Omnihub Short-lived CA', 1, testCa, true);
      const leaf = openssl(workDir, 'long-leaf', 'sns.amazonaws.com', 30, shortCa);
      const later = new Date(Date.now() + 2 * 86_400_000);

      // Act
      const today = await verifyWith(`${leaf.cert}${shortCa.cert}`, leaf.key);
      const afterCaExpiry = await verifyWith(`${leaf.cert}${shortCa.cert}`, leaf.key, testTrust, later);

      // Assess
      expect(today).toEqual({ ok: true });
      expect(afterCaExpiry).toMatchObject({ ok: false, reason: expect.stringMatching(/not valid at this time/) });
    });

    it('chains the real SNS certificate to Amazon Root CA 1 through Amazon RSA 2048 M01 (bundled)', () => {
      // Act
      const chain = chainToRoot(new X509Certificate(AWS_CERT_PEM), AMAZON_TRUST_STORE);

      // Assess
      expect(Array.isArray(chain) ? chain.map((c) => c.subject.split('\n').at(-1)) : chain).toEqual([
        'CN=sns.amazonaws.com',
        'CN=Amazon RSA 2048 M01',
        'CN=Amazon Root CA 1',
      ]);
    });

    it('agrees with openssl verify (independent of our code) that the bundle validates the SNS certificate', () => {
      // Prepare: the bundle as files, checked at the message time (the certificate expires 2026-10-14).
      const roots = join(workDir, 'amazon-roots.pem');
      const issuing = join(workDir, 'amazon-issuing.pem');
      const leaf = join(workDir, 'aws-sns.pem');
      writeFileSync(roots, AMAZON_ROOT_CAS.join(''));
      writeFileSync(issuing, AMAZON_ISSUING_CAS.join(''));
      writeFileSync(leaf, AWS_CERT_PEM);
      const attime = String(Math.floor(Date.parse('2026-03-06T20:00:30Z') / 1000));

      // Act
      const verify = (untrusted: string[]) =>
        execFileSync(
          'openssl',
          ['verify', '-attime', attime, '-CAfile', roots, ...untrusted.flatMap((u) => ['-untrusted', u]), leaf],
          { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
        );

      // Assess
      expect(verify([issuing])).toContain(': OK');
      expect(() => verify([])).toThrow();
    });

    it('bundles exactly the Amazon roots of the Mozilla store (Node tls.rootCertificates)', () => {
      // Prepare
      const mozilla = tls.rootCertificates
        .map((pem) => new X509Certificate(pem))
        .filter((c) => /^O=Amazon$/m.test(c.subject) && /^CN=Amazon Root CA [1-4]$/m.test(c.subject));

      // Act
      const bundled = AMAZON_TRUST_STORE.roots.map((c) => c.fingerprint256).sort();

      // Assess
      expect(bundled).toHaveLength(4);
      expect(bundled).toEqual(mozilla.map((c) => c.fingerprint256).sort());
    });

    it('bundles issuing CAs that Amazon Root CA 1 signed, valid until at least 2030', () => {
      // Prepare
      const [root1] = AMAZON_TRUST_STORE.roots;

      // Act & Assess
      expect(AMAZON_TRUST_STORE.intermediates.map((c) => c.subject.split('\n').at(-1))).toEqual([
        'CN=Amazon RSA 2048 M01',
        'CN=Amazon RSA 2048 M02',
        'CN=Amazon RSA 2048 M03',
        'CN=Amazon RSA 2048 M04',
      ]);
      for (const ca of AMAZON_TRUST_STORE.intermediates) {
        expect(ca.ca).toBe(true);
        expect(root1 && ca.checkIssued(root1) && ca.verify(root1.publicKey)).toBe(true);
        expect(Date.parse(ca.validTo)).toBeGreaterThanOrEqual(Date.parse('2030-08-23T00:00:00Z'));
      }
    });
  });

  describe('SigningCertURL guard', () => {
    it.each([
      ['a foreign host', 'https://evil.example.com/SimpleNotificationService-abc.pem'],
      ['plain http', 'http://sns.eu-central-1.amazonaws.com/SimpleNotificationService-abc.pem'],
      ['a look-alike host', 'https://sns.eu-central-1.amazonaws.com.evil.example/SimpleNotificationService-abc.pem'],
      ['a host suffix trick', 'https://evilsns.eu-central-1.amazonaws.com/SimpleNotificationService-abc.pem'],
      [
        'userinfo before the real host',
        'https://sns.eu-central-1.amazonaws.com@169.254.169.254/SimpleNotificationService-abc.pem',
      ],
      [
        'credentials on an SNS host',
        'https://user:pw@sns.eu-central-1.amazonaws.com/SimpleNotificationService-abc.pem',
      ],
      ['a non-default port', 'https://sns.eu-central-1.amazonaws.com:8443/SimpleNotificationService-abc.pem'],
      ['the loopback address', 'https://127.0.0.1/SimpleNotificationService-abc.pem'],
      ['the instance metadata address', 'https://169.254.169.254/latest/meta-data/'],
      ['another path on an SNS host', 'https://sns.eu-central-1.amazonaws.com/?Action=Unsubscribe'],
      ['a query string', 'https://sns.eu-central-1.amazonaws.com/SimpleNotificationService-abc.pem?x=1'],
      ['a file URL', 'file:///etc/passwd'],
      ['no URL at all', 'not a url'],
      // A bucket named "sns" on S3's legacy endpoints: anyone can create it (the old host pattern accepted these).
      ['the S3 host sns.s3.amazonaws.com', 'https://sns.s3.amazonaws.com/SimpleNotificationService-abc.pem'],
      [
        'the S3 host sns.s3-external-1.amazonaws.com',
        'https://sns.s3-external-1.amazonaws.com/SimpleNotificationService-abc.pem',
      ],
      ['an S3 website-style host', 'https://sns.s3-website-us-east-1.amazonaws.com/SimpleNotificationService-abc.pem'],
      ['a regional S3 bucket host', 'https://sns.us-east-1.s3.amazonaws.com/SimpleNotificationService-abc.pem'],
      ['the FIPS API endpoint', 'https://sns-fips.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem'],
      ['a region-less SNS host', 'https://sns.amazonaws.com/SimpleNotificationService-abc.pem'],
      ['a China region on .com', 'https://sns.cn-north-1.amazonaws.com/SimpleNotificationService-abc.pem'],
      ['a non-China region on .com.cn', 'https://sns.us-east-1.amazonaws.com.cn/SimpleNotificationService-abc.pem'],
      ['a trailing dot', 'https://sns.us-east-1.amazonaws.com./SimpleNotificationService-abc.pem'],
      ['a Cyrillic look-alike (punycode)', 'https://ѕns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem'],
      ['an extra label', 'https://sns.us-east-1.evil.amazonaws.com/SimpleNotificationService-abc.pem'],
      [
        'userinfo that spells an SNS host',
        'https://sns.us-east-1.amazonaws.com:443@sns.s3.amazonaws.com/SimpleNotificationService-abc.pem',
      ],
      ['a port given as 80', 'https://sns.us-east-1.amazonaws.com:80/SimpleNotificationService-abc.pem'],
    ])('refuses %s without fetching anything', async (_, url) => {
      // Prepare: everything else about the message is right.
      const { connector, fetched } = withCertificate();
      const now = new Date();
      const message = signAs({ ...notification(now), SigningCertURL: url }, snsKeyPem);

      // Act
      const result = await connector.verify(request(message), { secret: TOPIC }, { now });

      // Assess
      expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/SigningCertURL/) });
      expect(fetched).toEqual([]);
    });

    it.each([
      'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-7506a1e35b36ef5a444dd1a8e7cc3ed8.pem',
      'https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-3250158c6506d40628c2a4e4b7b1b0a1.pem',
      'https://sns.us-gov-west-1.amazonaws.com/SimpleNotificationService-abc.pem',
      'https://sns.ap-southeast-7.amazonaws.com/SimpleNotificationService-abc.pem',
      'https://SNS.EU-CENTRAL-1.AMAZONAWS.COM:443/SimpleNotificationService-abc.pem',
    ])('fetches a certificate from %s', async (url) => {
      // Prepare
      const { connector, fetched } = withCertificate();
      const now = new Date();
      const message = signAs({ ...notification(now), SigningCertURL: url }, snsKeyPem);

      // Act
      const result = await connector.verify(request(message), { secret: TOPIC }, { now });

      // Assess
      expect(result).toEqual({ ok: true });
      expect(fetched).toEqual([new URL(url).toString()]);
    });
  });

  describe('verify: envelope, headers, replay window', () => {
    it('fails closed without a configured TopicArn', async () => {
      // Prepare
      const { connector, fetched } = withCertificate();
      const now = new Date();

      // Act
      const result = await connector.verify(request(signAs(notification(now), snsKeyPem)), {}, { now });

      // Assess
      expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/TopicArn/) });
      expect(fetched).toEqual([]);
    });

    it.each([
      ['without x-amz-sns-message-type', {}, /header is missing/],
      [
        'with a message type that contradicts the body',
        { 'x-amz-sns-message-type': 'SubscriptionConfirmation' },
        /does not match/,
      ],
      [
        'with a topic header that contradicts the body',
        { 'x-amz-sns-message-type': 'Notification', 'x-amz-sns-topic-arn': 'arn:x' },
        /headers do not match/,
      ],
    ])('refuses a signed message %s', async (_, headers, reason) => {
      // Prepare
      const { connector } = withCertificate();
      const now = new Date();

      // Act
      const result = await connector.verify(
        request(signAs(notification(now), snsKeyPem), { 'content-type': 'text/plain', ...headers }),
        { secret: TOPIC },
        { now },
      );

      // Assess
      expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(reason) });
    });

    it.each([
      ['a body that is not JSON', '{'],
      ['a JSON array', '[]'],
      [
        'an object without a Signature',
        JSON.stringify({
          Type: 'Notification',
          MessageId: 'm',
          TopicArn: TOPIC,
          Message: 'x',
          Timestamp: new Date().toISOString(),
        }),
      ],
    ])('refuses %s without throwing', async (_, body) => {
      // Prepare
      const { connector } = withCertificate();

      // Act
      const result = await connector.verify(
        request(body, { 'x-amz-sns-message-type': 'Notification' }),
        { secret: TOPIC },
        { now: new Date() },
      );

      // Assess
      expect(result.ok).toBe(false);
    });

    it.each([
      ['SignatureVersion 3', (m: SnsMessage) => void (m.SignatureVersion = '3'), /Unsupported SignatureVersion/],
      [
        'a Signature with a non-base64 character',
        (m: SnsMessage) => void (m.Signature = `${m.Signature?.slice(0, -2)}@=`),
        /base64/,
      ],
      [
        'a Signature with its padding changed',
        (m: SnsMessage) => void (m.Signature = `${m.Signature?.slice(0, -1)}<`),
        /base64/,
      ],
      ['an unknown Type', (m: SnsMessage) => void (m.Type = 'Weird'), /Unsupported SNS message Type/],
    ])('refuses %s', async (_, change, reason) => {
      // Prepare
      const { connector } = withCertificate();
      const now = new Date();
      const message = signAs(notification(now), snsKeyPem);
      change(message);

      // Act
      const result = await connector.verify(
        request(message, { 'x-amz-sns-message-type': message.Type as string }),
        { secret: TOPIC },
        { now },
      );

      // Assess
      expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(reason) });
    });

    it.each([
      ['just inside the age limit', -(SNS_MAX_AGE_SECONDS - 1), true],
      ['just past the age limit', -(SNS_MAX_AGE_SECONDS + 1), false],
      ['slightly in the future (clock skew)', SNS_MAX_FUTURE_SKEW_SECONDS - 1, true],
      ['too far in the future', SNS_MAX_FUTURE_SKEW_SECONDS + 1, false],
    ])('judges a Timestamp %s', async (_, offsetSec, fresh) => {
      // Prepare
      const { connector } = withCertificate();
      const now = new Date();
      const sentAt = new Date(now.getTime() + offsetSec * 1000);

      // Act
      const result = await connector.verify(
        request(signAs(notification(sentAt), snsKeyPem)),
        { secret: TOPIC },
        { now },
      );

      // Assess
      expect(result).toEqual(fresh ? { ok: true } : expect.objectContaining({ ok: false, stale: true }));
    });
  });

  describe('certificate fetching', () => {
    it('rethrows a transient fetch failure (the hub answers 5xx, so SNS retries) and does not cache it', async () => {
      // Prepare
      let calls = 0;
      const connector = createSesConnector({
        fetchCertificate: async () => {
          calls++;
          if (calls === 1) throw new CertificateUnavailableError('connection reset', false);
          return snsCertPem;
        },
        trustStore: testTrust,
      });
      const now = new Date();
      const req = request(signAs(notification(now), snsKeyPem));

      // Act
      const first = connector.verify(req, { secret: TOPIC }, { now });
      await expect(first).rejects.toThrow(/connection reset/);
      const second = await connector.verify(req, { secret: TOPIC }, { now });

      // Assess
      expect(second).toEqual({ ok: true });
      expect(calls).toBe(2);
    });

    it('refuses (401, no retry) when the certificate is permanently unavailable', async () => {
      // Prepare
      const connector = createSesConnector({
        fetchCertificate: async (url) => {
          throw new CertificateUnavailableError(`${url} answered 404`, true);
        },
        trustStore: testTrust,
      });
      const now = new Date();

      // Act
      const result = await connector.verify(request(signAs(notification(now), snsKeyPem)), { secret: TOPIC }, { now });

      // Assess
      expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/404/) });
    });

    it('keeps at most maxEntries certificate URLs, evicting the least recently used', async () => {
      // Prepare
      const fetcher = vi.fn(async (_url: string) => snsCertPem);
      const cache = new SigningKeyCache(fetcher, 2, testTrust);

      // Act
      await cache.get('https://a');
      await cache.get('https://b');
      await cache.get('https://a');
      await cache.get('https://c');
      await cache.get('https://a');
      await cache.get('https://b');

      // Assess: b was evicted by c (a was fresher), so it was fetched twice.
      expect(cache.size).toBe(2);
      expect(fetcher.mock.calls.map((c) => c[0])).toEqual(['https://a', 'https://b', 'https://c', 'https://b']);
    });
  });

  describe('signSample', () => {
    it('signs with a key generated in this process that a fresh connector does not trust', async () => {
      // Prepare
      const fixtureCase = {
        case: { method: 'POST', contentType: 'text/plain; charset=UTF-8' },
        body: fixture('ses', 'received-sns-action.json'),
      };
      const req = signedRequest(sesConnector, fixtureCase, { secret: TOPIC });
      const { connector, fetched } = withCertificate(() => otherCnCertPem);

      // Act
      const registry = await sesConnector.verify(req, { secret: TOPIC }, { now: new Date('2024-05-01T12:00:00.000Z') });
      const fresh = await connector.verify(req, { secret: TOPIC }, { now: new Date('2024-05-01T12:00:00.000Z') });

      // Assess: only the connector that signed (and primed its cache) accepts; the other fetches and refuses.
      expect(registry).toEqual({ ok: true });
      expect(fresh.ok).toBe(false);
      expect(fetched).toEqual([SAMPLE_CERT_URL]);
    });

    it('sends the message for the configured topic, with the SNS headers', () => {
      // Prepare
      const body = Buffer.from(AWS_SUBSCRIPTION_CONFIRMATION);

      // Act
      const signed = sesConnector.signSample(
        { url: URL_SES, method: 'POST', body, contentType: 'text/plain', now: new Date() },
        { secret: TOPIC },
      );
      const message = JSON.parse(signed.body?.toString() ?? '{}') as SnsMessage;

      // Assess
      expect(message.TopicArn).toBe(TOPIC);
      expect(message.SubscribeURL).toContain(`TopicArn=${TOPIC}&Token=`);
      expect(signed.headers).toEqual({
        'x-amz-sns-message-type': 'SubscriptionConfirmation',
        'x-amz-sns-message-id': 'f3f2fc87-c426-4c2f-9044-b55890c0939c',
        'x-amz-sns-topic-arn': TOPIC,
      });
    });
  });

  describe('SES receipts', () => {
    const receipt = (
      overrides: { mail?: Record<string, unknown>; receipt?: Record<string, unknown>; content?: string } = {},
    ) => ({
      notificationType: 'Received',
      receipt: {
        timestamp: '2024-05-01T09:00:01.000Z',
        recipients: ['sales@shop.example.com'],
        spamVerdict: { status: 'PASS' },
        virusVerdict: { status: 'PASS' },
        action: { type: 'SNS', topicArn: TOPIC, encoding: 'UTF8' },
        ...overrides.receipt,
      },
      mail: {
        timestamp: '2024-05-01T09:00:00.000Z',
        source: 'bounce+a1b2@mailer.example.net',
        messageId: 'o3vrnil0e2ic28trm7dfhrc2v0clambda4nbp0g1',
        destination: ['sales@shop.example.com'],
        commonHeaders: {
          from: ['"Коваль, Олена" <Olena.Koval@Example.com.ua>'],
          to: ['sales@shop.example.com'],
          messageId: '<CAF=abc@mail.example.com.ua>',
          subject: 'Доставка',
        },
        ...overrides.mail,
      },
      ...(overrides.content === undefined ? {} : { content: overrides.content }),
    });

    const normalize = (message: unknown) => {
      const envelope = {
        ...notification(new Date('2024-05-01T09:00:02.000Z')),
        Message: JSON.stringify(message),
        Signature: 'x',
        SignatureVersion: '2',
        SigningCertURL: CERT_URL,
      };
      return sesConnector.normalize(sesConnector.parse(request(envelope)), CTX);
    };

    it('takes the customer from the From header, not the bounce address in mail.source', () => {
      // Act
      const { events, ignored } = normalize(receipt());

      // Assess
      expect(ignored).toEqual([]);
      const event = HubEventSchema.parse(events[0]);
      expect(event.customer.identities.map(identityKey)).toEqual(['email:olena.koval@example.com.ua']);
      expect(event.customer.traits).toEqual({ name: 'Коваль, Олена' });
      expect(event).toMatchObject({
        type: 'email.received',
        channel: 'email',
        providerEventId: 'o3vrnil0e2ic28trm7dfhrc2v0clambda4nbp0g1',
        occurredAt: '2024-05-01T09:00:00.000Z',
        summary: 'Доставка',
        data: {
          messageId: 'CAF=abc@mail.example.com.ua',
          from: 'Olena.Koval@Example.com.ua',
          to: ['sales@shop.example.com'],
          subject: 'Доставка',
        },
      });
    });

    it('falls back to mail.source when there is no usable From header', () => {
      // Act
      const { events } = normalize(receipt({ mail: { commonHeaders: { from: ['undisclosed-recipients:;'] } } }));

      // Assess
      expect(events[0]?.customer.identities.map(identityKey)).toEqual(['email:bounce+a1b2@mailer.example.net']);
    });

    it.each([
      ['spam', { spamVerdict: { status: 'FAIL' } }, /spam verdict FAIL/],
      ['a virus', { virusVerdict: { status: 'FAIL' } }, /virus verdict FAIL/],
    ])('ignores a message SES marked as %s', (_, verdicts, reason) => {
      // Act
      const { events, ignored } = normalize(receipt({ receipt: verdicts }));

      // Assess
      expect(events).toEqual([]);
      expect(ignored).toEqual([expect.stringMatching(reason)]);
    });

    it('keeps a GRAY (undecided) spam verdict', () => {
      // Act
      const { events } = normalize(receipt({ receipt: { spamVerdict: { status: 'GRAY' } } }));

      // Assess
      expect(events).toHaveLength(1);
    });

    it('takes the snippet from the quoted-printable text/plain part of a multipart/alternative mail', () => {
      // Prepare
      const mime = [
        'From: =?UTF-8?B?0J7Qu9C10L3QsA==?= <olena@example.com.ua>',
        'Subject: =?UTF-8?Q?=D0=94=D0=BE=D1=81=D1=82=D0=B0=D0=B2=D0=BA=D0=B0?=',
        'MIME-Version: 1.0',
        'Content-Type: multipart/alternative; boundary="b1"',
        '',
        '--b1',
        'Content-Type: text/plain; charset="UTF-8"',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        'It=E2=80=99s about order #1042 =E2=80=94 when will it arrive? This line is l=',
        'ong and soft-wrapped.',
        '',
        '--b1',
        'Content-Type: text/html; charset="UTF-8"',
        '',
        '<div>html version</div>',
        '--b1--',
        '',
      ].join('\r\n');

      // Act
      const { events } = normalize(receipt({ content: mime }));

      // Assess
      expect(events[0]?.data).toMatchObject({
        snippet: 'It’s about order #1042 — when will it arrive? This line is long and soft-wrapped.',
      });
      expect(events[0]?.summary).toBe(
        'Доставка — It’s about order #1042 — when will it arrive? This line is long and soft-wrapped.',
      );
    });

    it('decodes content the SNS action delivered as BASE64, with a windows-1251 body', () => {
      // Prepare
      const body = Buffer.from([0xcf, 0xf0, 0xe8, 0xe2, 0xb3, 0xf2]); // "Привіт" in windows-1251
      const mime = Buffer.concat([
        Buffer.from('Content-Type: text/plain; charset=windows-1251\r\nContent-Transfer-Encoding: 8bit\r\n\r\n'),
        body,
      ]);

      // Act
      const { events } = normalize(
        receipt({ receipt: { action: { type: 'SNS', encoding: 'BASE64' } }, content: mime.toString('base64') }),
      );

      // Assess
      expect(events[0]?.data).toMatchObject({ snippet: 'Привіт' });
    });

    it('falls back to the text of an HTML-only mail and skips attachments', () => {
      // Prepare
      const mime = [
        'Content-Type: multipart/mixed; boundary=outer',
        '',
        '--outer',
        'Content-Type: text/plain; name="notes.txt"',
        'Content-Disposition: attachment; filename="notes.txt"',
        '',
        'attachment text must not be the snippet',
        '--outer',
        'Content-Type: text/html; charset=utf-8',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from(
          '<html><head><style>p{}</style></head><body><p>Hello&nbsp;&amp; welcome</p></body></html>',
        ).toString('base64'),
        '--outer--',
      ].join('\n');

      // Act
      const { events } = normalize(receipt({ content: mime }));

      // Assess
      expect(events[0]?.data).toMatchObject({ snippet: 'Hello & welcome' });
    });

    it('cuts the snippet at 200 characters', () => {
      // Act
      const { events } = normalize(receipt({ content: `Content-Type: text/plain\r\n\r\n${'слово '.repeat(100)}` }));

      // Assess
      const snippet = (events[0]?.data as { snippet?: string }).snippet ?? '';
      expect(Array.from(snippet)).toHaveLength(200);
      expect(snippet.endsWith('…')).toBe(true);
    });

    it.each([
      ['a Bounce notification', { notificationType: 'Bounce', mail: {} }, /Bounce is not handled/],
      [
        'the SES setup notification',
        { notificationType: 'AMAZON_SES_SETUP_NOTIFICATION' },
        /AMAZON_SES_SETUP_NOTIFICATION is not handled/,
      ],
      ['a JSON message that is not from SES', { hello: 'world' }, /not an SES notification/],
    ])('acknowledges and ignores %s', (_, message, reason) => {
      // Act
      const { events, ignored } = normalize(message);

      // Assess
      expect(events).toEqual([]);
      expect(ignored).toEqual([expect.stringMatching(reason)]);
    });

    it('refuses a receipt without mail.messageId as malformed (400)', () => {
      // Prepare
      const broken = receipt();
      delete (broken.mail as { messageId?: string }).messageId;

      // Act & Assess
      expect(() => normalize(broken)).toThrow(ValidationError);
    });
  });

  describe('subscription confirmation', () => {
    const confirmationRequest = (params: Record<string, string>): HydrationRequest => ({
      connector: 'ses',
      kind: 'sns-subscription-confirmation',
      params,
      providerEventId: 'f3f2fc87-c426-4c2f-9044-b55890c0939c',
      receivedAt: CTX.receivedAt,
    });
    const SUBSCRIBE_URL = `https://sns.eu-central-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=2336412f37fb`;

    const recordingFetch = (status = 200) => {
      const calls: string[] = [];
      const fetchFn = (async (input: string | URL | Request) => {
        calls.push(String(input));
        return new Response('<ConfirmSubscriptionResponse/>', { status });
      }) as typeof fetch;
      return { calls, fetchFn };
    };

    it('turns a SubscriptionConfirmation into one hydration and no event', () => {
      // Prepare
      const req = signedRequest(
        sesConnector,
        { case: { method: 'POST', contentType: 'text/plain' }, body: Buffer.from(AWS_SUBSCRIPTION_CONFIRMATION) },
        { secret: TOPIC },
      );

      // Act
      const result = sesConnector.normalize(sesConnector.parse(req), CTX);

      // Assess
      expect(result.events).toEqual([]);
      expect(result.ignored).toEqual([]);
      expect(result.hydrations).toEqual([
        expect.objectContaining({
          connector: 'ses',
          kind: 'sns-subscription-confirmation',
          providerEventId: 'f3f2fc87-c426-4c2f-9044-b55890c0939c',
          params: {
            topicArn: TOPIC,
            subscribeUrl: expect.stringContaining(`Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=2336412f`),
          },
        }),
      ]);
    });

    it('GETs the SubscribeURL and returns no events', async () => {
      // Prepare
      const { calls, fetchFn } = recordingFetch();

      // Act
      const events = await sesConnector.hydrate?.(
        confirmationRequest({ subscribeUrl: SUBSCRIBE_URL, topicArn: TOPIC }),
        { secrets: { secret: TOPIC }, defaultCountry: 'UA', fetch: fetchFn },
      );

      // Assess
      expect(events).toEqual([]);
      expect(calls).toEqual([new URL(SUBSCRIBE_URL).toString()]);
    });

    it.each([
      ['a non-SNS host', 'https://127.0.0.1/?Action=ConfirmSubscription&TopicArn=' + TOPIC, /not an Amazon SNS host/],
      ['plain http', SUBSCRIBE_URL.replace('https:', 'http:'), /https/],
      [
        'the S3 host sns.s3.amazonaws.com',
        SUBSCRIBE_URL.replace('sns.eu-central-1.amazonaws.com', 'sns.s3.amazonaws.com'),
        /not an Amazon SNS host/,
      ],
      [
        'the S3 host sns.s3-external-1.amazonaws.com',
        SUBSCRIBE_URL.replace('sns.eu-central-1.amazonaws.com', 'sns.s3-external-1.amazonaws.com'),
        /not an Amazon SNS host/,
      ],
      [
        'userinfo before an S3 host',
        SUBSCRIBE_URL.replace('sns.eu-central-1.amazonaws.com', 'sns.eu-central-1.amazonaws.com@sns.s3.amazonaws.com'),
        /credentials/,
      ],
      [
        'a port',
        SUBSCRIBE_URL.replace('sns.eu-central-1.amazonaws.com', 'sns.eu-central-1.amazonaws.com:8443'),
        /port/,
      ],
      ['another action', SUBSCRIBE_URL.replace('ConfirmSubscription', 'Unsubscribe'), /not a ConfirmSubscription/],
      [
        'another topic',
        SUBSCRIBE_URL.replace(TOPIC, 'arn:aws:sns:eu-central-1:999999999999:other'),
        /not a ConfirmSubscription/,
      ],
    ])('refuses a SubscribeURL with %s without calling it', async (_, subscribeUrl, reason) => {
      // Prepare
      const { calls, fetchFn } = recordingFetch();

      // Act
      const run = sesConnector.hydrate?.(confirmationRequest({ subscribeUrl, topicArn: TOPIC }), {
        secrets: {},
        defaultCountry: 'UA',
        fetch: fetchFn,
      });

      // Assess
      await expect(run).rejects.toThrow(reason);
      expect(calls).toEqual([]);
    });

    it('throws when SNS refuses the confirmation, so the hydrator retries', async () => {
      // Prepare
      const { fetchFn } = recordingFetch(500);

      // Act & Assess
      await expect(
        sesConnector.hydrate?.(confirmationRequest({ subscribeUrl: SUBSCRIBE_URL, topicArn: TOPIC }), {
          secrets: { secret: TOPIC },
          defaultCountry: 'UA',
          fetch: fetchFn,
        }),
      ).rejects.toThrow(/answered 500/);
    });

    it('refuses to confirm a topic that is no longer the configured one', async () => {
      // Prepare
      const { calls, fetchFn } = recordingFetch();

      // Act
      const run = sesConnector.hydrate?.(confirmationRequest({ subscribeUrl: SUBSCRIBE_URL, topicArn: TOPIC }), {
        secrets: { secret: 'arn:aws:sns:eu-central-1:123456789012:new-topic' },
        defaultCountry: 'UA',
        fetch: fetchFn,
      });

      // Assess
      await expect(run).rejects.toThrow(/not the configured topic/);
      expect(calls).toEqual([]);
    });

    describe('through the local hub', () => {
      it('acknowledges the confirmation and the hydrator GETs the SubscribeURL', async () => {
        // Prepare
        const { calls, fetchFn } = recordingFetch();
        const hub = await startTestHub({ fetch: fetchFn });

        try {
          // Act
          const res = await postWebhook(hub, 'ses', AWS_SUBSCRIPTION_CONFIRMATION, {
            contentType: 'text/plain; charset=UTF-8',
          });
          await hub.idle();

          // Assess: the hub's secret (TEST_SECRET) is the expected topic, so signSample sent the message for it.
          expect(res.status, res.text).toBe(200);
          expect(res.body).toMatchObject({ status: 'accepted', eventIds: [], pendingFetches: 1 });
          expect(calls).toHaveLength(1);
          const confirmed = new URL(calls[0] as string);
          expect(confirmed.hostname).toBe('sns.us-west-2.amazonaws.com');
          expect(confirmed.searchParams.get('Action')).toBe('ConfirmSubscription');
          expect(confirmed.searchParams.get('TopicArn')).toBe(TEST_SECRET);
        } finally {
          await hub.stop();
        }
      });

      it('still confirms when SNS fails twice first (the queue retries)', async () => {
        // Prepare
        const calls: string[] = [];
        const flaky = (async (input: string | URL | Request) => {
          calls.push(String(input));
          return new Response('', { status: calls.length <= 2 ? 503 : 200 });
        }) as typeof fetch;
        const hub = await startTestHub({ fetch: flaky, retryBaseMs: 20 });

        try {
          // Act
          const res = await postWebhook(hub, 'ses', AWS_SUBSCRIPTION_CONFIRMATION, {
            contentType: 'text/plain; charset=UTF-8',
          });
          await hub.idle();

          // Assess
          expect(res.status, res.text).toBe(200);
          expect(calls).toHaveLength(3);
          expect(new Set(calls).size).toBe(1);
        } finally {
          await hub.stop();
        }
      });

      it('puts the sender with the From display name into the profile', async () => {
        // Prepare
        const hub = await startTestHub();
        const ses = {
          notificationType: 'Received',
          receipt: {
            recipients: ['sales@shop.example.com'],
            spamVerdict: { status: 'PASS' },
            virusVerdict: { status: 'PASS' },
            action: { type: 'SNS' },
          },
          mail: {
            timestamp: '2024-05-01T09:00:00.000Z',
            source: 'bounces@esp.example.net',
            messageId: 'ses-integration-1',
            commonHeaders: { from: ['Олена Коваль <olena.koval@example.com.ua>'], subject: 'Питання' },
          },
          content: 'Content-Type: text/plain; charset=utf-8\r\n\r\nДобрий день!',
        };
        const envelope = {
          Type: 'Notification',
          MessageId: 'int-1',
          TopicArn: 'x',
          Message: JSON.stringify(ses),
          Timestamp: 'x',
          SignatureVersion: '2',
          Signature: 'x',
          SigningCertURL: 'x',
        };

        try {
          // Act
          const res = await postWebhook(hub, 'ses', JSON.stringify(envelope), {
            contentType: 'text/plain; charset=UTF-8',
          });
          await hub.idle();
          const profile = await api(
            hub,
            `/v1/customers?identity=${encodeURIComponent('email:olena.koval@example.com.ua')}`,
          );
          const bounce = await api(
            hub,
            `/v1/customers?identity=${encodeURIComponent('email:bounces@esp.example.net')}`,
          );

          // Assess
          expect(res.status, res.text).toBe(200);
          expect(profile.status).toBe(200);
          expect(profile.body.traits).toMatchObject({ name: 'Олена Коваль' });
          expect(Object.keys(profile.body.channels)).toEqual(['email']);
          expect(bounce.status).toBe(404);
        } finally {
          await hub.stop();
        }
      });

      it('refuses over HTTP a body whose SNS signature was removed, even with the SNS headers', async () => {
        // Prepare
        const hub = await startTestHub();

        try {
          // Act
          const res = await postWebhook(hub, 'ses', fixture('ses', 'received-sns-action.json'), {
            contentType: 'text/plain; charset=UTF-8',
            tamper: (req) => {
              const message = JSON.parse(req.body.toString()) as SnsMessage;
              delete message.Signature;
              req.body = Buffer.from(JSON.stringify(message));
            },
          });

          // Assess
          expect(res.status).toBe(401);
          expect(res.body?.error?.code).toBe('invalid_signature');
        } finally {
          await hub.stop();
        }
      });
    });
  });
});
