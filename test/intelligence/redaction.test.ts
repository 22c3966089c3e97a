// PII redaction: what leaves the process is masked, what is not personal data stays exactly as
// written, and the model's answer gets the originals back.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redactor } from '../../src/intelligence/gateway/redaction.ts';

/** Redacts one text with a fresh redactor and returns what the model would see. */
const redact = (text: string) => new Redactor().redact(text);

function assertMasked(value: string, placeholder: string): void {
  const out = redact(`before ${value} after`);
  assert.equal(out, `before ${placeholder} after`, `expected ${value} to be masked`);
}

function assertKept(text: string): void {
  assert.equal(redact(text), text, `expected "${text}" to stay untouched`);
}

describe('redaction: emails', () => {
  for (const email of ['jane.doe@example.com', 'jane.doe+news@example.co.uk', 'J.O_Brien-1@Mail.Example.ORG', 'ünïcode@bücher.de']) {
    it(`masks ${email}`, () => assertMasked(email, '[EMAIL_1]'));
  }

  it('keeps surrounding punctuation and markup', () => {
    assert.equal(redact('<jane@example.com>, mailto:bob@example.org. (x@example.net)'), '<[EMAIL_1]>, mailto:[EMAIL_2]. ([EMAIL_3])');
    assert.equal(redact('{"email":"jane@example.com"}'), '{"email":"[EMAIL_1]"}');
  });

  it('leaves things that are not addresses', () => {
    assertKept('user@localhost, a@b.c, @handle, npm i @scope/pkg@1.2.3, x@exa_mple.com');
  });
});

describe('redaction: card numbers', () => {
  for (const card of ['4111 1111 1111 1111', '4111-1111-1111-1111', '4111111111111111', '5500 0000 0000 0004', '378282246310005', '3782 822463 10005', '6011000990139424']) {
    it(`masks ${card} (Luhn passes)`, () => assertMasked(card, '[CARD_1]'));
  }

  it('leaves numbers of card length that fail the Luhn check', () => {
    assertKept('order 4111 1111 1111 1112, ref 1234567890123, id 1234-5678-9012-3456');
  });

  it('leaves digit runs that are longer than a card or carry a decimal part', () => {
    // 4111111111111111 passes Luhn, but here it is only the start of a longer number.
    assertKept('tx 41111111111111112, tx 4111 1111 1111 1111 1111 1111, 4111111111111111.50, 1234 4111 1111 1111 1111 1111');
  });
});

describe('redaction: IBANs', () => {
  for (const iban of ['DE89 3704 0044 0532 0130 00', 'DE89370400440532013000', 'de89 3704 0044 0532 0130 00', 'GB82 WEST 1234 5698 7654 32', 'NL91ABNA0417164300', 'FR14 2004 1010 0505 0001 3M02 606', 'NO9386011117947', 'BE68 5390 0754 7034']) {
    it(`masks ${iban} (mod-97 passes)`, () => assertMasked(iban, '[IBAN_1]'));
  }

  it('stops at the IBAN’s length even when capitals follow', () => {
    assert.equal(redact('IBAN DE89 3704 0044 0532 0130 00 AND BIC COBADEFFXXX'), 'IBAN [IBAN_1] AND BIC COBADEFFXXX');
    assert.equal(redact('DE89 3704 0044 0532 0130 00 GB82 WEST 1234 5698 7654 32'), '[IBAN_1] [IBAN_2]');
  });

  it('leaves IBAN-shaped text with a wrong check or length, and no part of it becomes a phone number', () => {
    assertKept('DE89 3704 0044 0532 0130 01, DE88 3704 0044 0532 0130 00, DE89 3704 0044 0532 0130 0, DE89370400440532013000X');
  });
});

describe('redaction: phone numbers', () => {
  for (const phone of [
    '+44 20 7946 0958',
    '+1 (555) 123-4567',
    '+49 30 1234567',
    '+4915112345678',
    '+44 (0)20 7946 0958',
    '0044 20 7946 0958',
    '0044 (0)20 7946 0958',
    '+33 1 23 45 67 89',
    '020 7946 0958',
    '(030) 1234567',
    '030/1234567',
    '06-12345678',
    '0612345678',
    '01 23 45 67 89',
    '(555) 123-4567',
    '555-123-4567',
    '555.123.4567',
    '1-800-555-0199',
    '555-0199',
  ]) {
    it(`masks ${phone}`, () => assertMasked(phone, '[PHONE_1]'));
  }

  it('masks numbers in lists and sentences', () => {
    assert.equal(redact('Tel: 020 7946 0958 / 020 7946 0959, or 555-123-4567 555-987-6543.'), 'Tel: [PHONE_1] / [PHONE_2], or [PHONE_3] [PHONE_4].');
    assert.equal(redact('{"tel":"+15551234567"}'), '{"tel":"[PHONE_1]"}');
    assert.equal(redact('tel +1 555 123 4567 ext 12, fax 0800 123 4567.'), 'tel [PHONE_1] ext 12, fax [PHONE_2].');
  });

  it('leaves dates and times', () => {
    assertKept('2026-11-27, 27.11.2026, 11/27/2026, 01/02/2026 12:00, 2026-11-27 10:30, 2026-11-27T10:30:00Z, 1999-2004, 01.02.2026');
  });

  it('leaves prices, decimals and plain numbers', () => {
    assertKept('€1.234.567, $1,234,567.00, 1 234 567 €, 1234567.89, 3.14159265, 0.123456789, +3.5%, +12.5%, score 1234567, year 2026, ratio 1:2000000, 12 345 678');
  });

  it('leaves long digit runs whole: no phone is cut out of them', () => {
    assertKept(`+${'1'.repeat(60)} 01${'2'.repeat(60)} ID 0123456789012345678 0044${'5'.repeat(30)}`);
  });

  it('leaves version numbers, addresses and ids', () => {
    assertKept('v10.0.19041.1234, 1.2.3, 192.168.100.200, ORD-2026-001234, ISBN 978-3-16-148410-0, #123-4567, 0001234567, ts 1764201600, 01934f7e-8c2a-7b3c-9d4e-0123456789ab');
  });
});

describe('redaction: one redactor per call', () => {
  it('gives the same value the same placeholder across texts, numbered per kind', () => {
    const r = new Redactor();
    const system = r.redact('Write to jane@example.com or call +44 20 7946 0958.');
    const user = r.redact('Jane (jane@example.com) pays with 4111 1111 1111 1111; bob@example.org is in copy.');
    assert.equal(system, 'Write to [EMAIL_1] or call [PHONE_1].');
    assert.equal(user, 'Jane ([EMAIL_1]) pays with [CARD_1]; [EMAIL_2] is in copy.');
    assert.deepEqual(r.found, [
      { kind: 'email', placeholder: '[EMAIL_1]' },
      { kind: 'phone', placeholder: '[PHONE_1]' },
      { kind: 'email', placeholder: '[EMAIL_2]' },
      { kind: 'card', placeholder: '[CARD_1]' },
    ]);
  });

  it('restores the originals exactly into the model’s answer, wherever the model put them', () => {
    const r = new Redactor();
    const original = 'Card 4111-1111-1111-1111, IBAN GB82 WEST 1234 5698 7654 32, mail JANE@Example.com, tel (030) 1234567.';
    const sent = r.redact(original);
    assert.equal(sent, 'Card [CARD_1], IBAN [IBAN_1], mail [EMAIL_1], tel [PHONE_1].');
    assert.equal(r.restore(sent), original);
    const answer = '{"summary":"Contact [EMAIL_1] at [PHONE_1]; refund to [IBAN_1]. Ask [EMAIL_1] again."}';
    assert.equal(r.restore(answer), '{"summary":"Contact JANE@Example.com at (030) 1234567; refund to GB82 WEST 1234 5698 7654 32. Ask JANE@Example.com again."}');
  });

  it('keeps each spelling of a value, so restoring gives back exactly what was written', () => {
    const r = new Redactor();
    const text = '4111 1111 1111 1111 and 4111-1111-1111-1111';
    assert.equal(r.redact(text), '[CARD_1] and [CARD_2]');
    assert.equal(r.restore(r.redact(text)), text);
  });

  it('leaves placeholders it did not issue, and never issues one that is already in the input', () => {
    const r = new Redactor();
    const sent = r.redact('Content says [EMAIL_1] and [CARD_9]; the author is jane@example.com.');
    assert.equal(sent, 'Content says [EMAIL_1] and [CARD_9]; the author is [EMAIL_2].');
    assert.equal(r.restore('[EMAIL_1] [EMAIL_2] [CARD_9] [PHONE_3]'), '[EMAIL_1] jane@example.com [CARD_9] [PHONE_3]');
  });

  it('passes its own placeholders through a second redaction unchanged (repair prompts)', () => {
    const r = new Redactor();
    const first = r.redact('jane@example.com');
    assert.equal(r.redact(`previous answer: ${first}`), 'previous answer: [EMAIL_1]');
    assert.equal(r.found.length, 1);
  });

  it('reports nothing for clean text', () => {
    const r = new Redactor();
    assert.equal(r.redact('A multi-tenant magazine with articles, published 2026-11-27.'), 'A multi-tenant magazine with articles, published 2026-11-27.');
    assert.deepEqual(r.found, []);
  });
});
