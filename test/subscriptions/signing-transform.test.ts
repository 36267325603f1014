import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { generateWebhookSecret, signatureHeaders, toWebhookSecret } from '../../functions/subscriptions/signing.js';
import { applyTransform, parsePath, readPath } from '../../functions/subscriptions/transform.js';

describe('Subscriptions: Standard Webhooks signing', () => {
  it('matches the Standard Webhooks known-answer vector', () => {
    // Act
    const headers = signatureHeaders({
      secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      timestamp: new Date(1_614_265_330_000),
      payload: '{"test": 2432232314}',
    });

    // Assess
    expect(headers).toEqual({
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    });
  });

  it('produces what the standardwebhooks verifier accepts, and nothing else', () => {
    // Prepare
    const secret = generateWebhookSecret();
    const payload = JSON.stringify({ hello: 'світ' });
    const headers = signatureHeaders({ secret, id: 'evt_1', timestamp: new Date(), payload });

    // Act & Assess
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(new Webhook(secret).verify(payload, headers)).toEqual({ hello: 'світ' });
    expect(() => new Webhook(secret).verify(payload.replace('світ', 'world'), headers)).toThrow(
      /No matching signature/,
    );
    expect(() => new Webhook(generateWebhookSecret()).verify(payload, headers)).toThrow(/No matching signature/);
  });

  it('accepts a Secrets Manager generated value without the whsec_ prefix', () => {
    expect(toWebhookSecret('abcdABCD0123456789abcdABCD012345')).toBe('whsec_abcdABCD0123456789abcdABCD012345');
    expect(toWebhookSecret('whsec_abc')).toBe('whsec_abc');
  });
});

describe('Subscriptions: input transformation', () => {
  const envelope = {
    'detail-type': 'lead.submitted',
    detail: {
      id: 'evt_1',
      customer: {
        identities: [
          { type: 'phone', value: '+380501234567' },
          { type: 'email', value: 'a@b.c' },
        ],
      },
      data: { answers: [] },
    },
  };

  it('parses dot paths with array indices and dashes', () => {
    expect(parsePath('$.detail.customer.identities[1].value')).toEqual([
      'detail',
      'customer',
      'identities',
      1,
      'value',
    ]);
    expect(parsePath('$.detail-type')).toEqual(['detail-type']);
    expect(parsePath('$')).toEqual([]);
    expect(() => parsePath("$.detail.customer.identities[?(@.type=='phone')]")).toThrow(/Unsupported JSON path/);
  });

  it('selects and renames fields, objects and arrays included; a missing path is null', () => {
    // Act
    const out = applyTransform(
      {
        type: '$.detail-type',
        phone: '$.detail.customer.identities[0].value',
        ids: '$.detail.customer.identities',
        answers: '$.detail.data.answers',
        none: '$.detail.customer.identities[5].value',
      },
      envelope,
    );

    // Assess
    expect(out).toEqual({
      type: 'lead.submitted',
      phone: '+380501234567',
      ids: envelope.detail.customer.identities,
      answers: [],
      none: null,
    });
    expect(readPath(envelope, '$.detail.id.nope')).toBeUndefined();
  });
});
