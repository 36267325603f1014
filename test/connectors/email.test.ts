/**
 * Email helpers shared by the inbound-email connectors, SES and Mailgun
 * (`functions/connectors/shared/email.ts`): mailbox parsing, RFC 2047
 * encoded words and MIME snippets.
 */
import { describe, expect, it } from 'vitest';
import {
  decodeEncodedWords,
  mimeSnippet,
  parseMailbox,
  parseMailboxList,
} from '../../functions/connectors/shared/email.js';

describe('Connector email helpers (shared)', () => {
  it.each([
    ['"Displayed From" <from+test@example.org>', { name: 'Displayed From', address: 'from+test@example.org' }],
    ['Jane Doe <jane@example.com>', { name: 'Jane Doe', address: 'jane@example.com' }],
    ['"Doe, Jane \\"JD\\"" <jane@example.com>', { name: 'Doe, Jane "JD"', address: 'jane@example.com' }],
    ['<jane@example.com>', { address: 'jane@example.com' }],
    ['jane@example.com', { address: 'jane@example.com' }],
    ['jane@example.com (Jane Doe)', { name: 'Jane Doe', address: 'jane@example.com' }],
    [
      '=?UTF-8?B?0J7Qu9C10L3QsA==?= =?UTF-8?Q?_=D0=9A=D0=BE=D0=B2=D0=B0=D0=BB=D1=8C?= <olena@example.com.ua>',
      { name: 'Олена Коваль', address: 'olena@example.com.ua' },
    ],
  ])('parses the mailbox %s', (input, expected) => {
    // Act & Assess
    expect(parseMailbox(input)).toEqual(expected);
  });

  it.each(['', 'Jane Doe', 'undisclosed-recipients:;', '<not an address>'])('finds no mailbox in %j', (input) => {
    // Act & Assess
    expect(parseMailbox(input)).toBeUndefined();
  });

  it('splits an address list on commas outside quotes', () => {
    // Act
    const list = parseMailboxList(
      '"Test Inbound" <test@inbound.example.com>, other@example.com, "Doe, J" <j@example.com>',
    );

    // Assess
    expect(list.map((m) => m.address)).toEqual(['test@inbound.example.com', 'other@example.com', 'j@example.com']);
  });

  it('decodes encoded words in windows-1251 and keeps plain text around them', () => {
    // Act & Assess
    expect(decodeEncodedWords('Re: =?windows-1251?B?z/Do4rPy?= there')).toBe('Re: Привіт there');
  });

  it('returns no snippet for a mail without any text part', () => {
    // Act & Assess
    expect(mimeSnippet(Buffer.from('Content-Type: image/png\r\n\r\nPNG'))).toBeUndefined();
  });
});
