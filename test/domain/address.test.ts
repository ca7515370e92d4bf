import { describe, expect, it } from 'vitest';
import { addressKey, isSendableAddress } from '../../service/src/domain/address.js';

describe('addressKey', () => {
  it.each<[string, string | null]>([
    ['alice@example.com', 'alice@example.com'],
    ['  Alice@Example.COM ', 'alice@example.com'],
    ['ALICE@EXAMPLE.COM', 'alice@example.com'],
    ['bob@bücher.de', 'bob@xn--bcher-kva.de'],
    ['Bob@BÜCHER.de', 'bob@xn--bcher-kva.de'],
    ['bob@xn--bcher-kva.de', 'bob@xn--bcher-kva.de'],
    ['carol+news@sub.example.co.uk', 'carol+news@sub.example.co.uk'],
    ['dave@example.com.', 'dave@example.com'],
    ['', null],
    ['   ', null],
    ['no-at-sign', null],
    ['@example.com', null],
    ['eve@', null],
    ['eve@localhost', null],
    ['eve@[192.168.0.1]', null],
    ['eve@1.2.3.4', null],
    ['eve@exa mple.com', null],
    ['e ve@example.com', null],
    ['eve@-bad.com', null],
    ['eve@bad..com', null],
    ['a'.repeat(65) + '@example.com', null],
    ['x@' + 'a'.repeat(250) + '.com', null],
  ])('%j -> %j', (input, expected) => {
    expect(addressKey(input)).toBe(expected);
  });

  it('makes case and IDN spellings of one mailbox collide, and different mailboxes not', () => {
    expect(addressKey('Zoë@Bücher.DE')).toBe(addressKey('zoë@xn--bcher-kva.de'));
    expect(addressKey('a@example.com')).not.toBe(addressKey('b@example.com'));
  });
});

describe('isSendableAddress', () => {
  it.each<[string, boolean]>([
    ['alice@example.com', true],
    ['first.last+tag@mail.example.org', true],
    ["o'brien@example.ie", true],
    ['bob@bücher.de', true],
    ['zoë@example.com', false], // needs SMTPUTF8
    ['"quoted"@example.com', false],
    ['a..b@example.com', false],
    ['.a@example.com', false],
    ['a@localhost', false],
    ['a@[127.0.0.1]', false],
    ['a@example', false],
    ['a@exa_mple.com', false],
    ['a b@example.com', false],
    ['a@example.com\r\nBcc: x@evil.com', false],
    ['', false],
  ])('%j -> %j', (input, expected) => {
    expect(isSendableAddress(input)).toBe(expected);
  });
});
