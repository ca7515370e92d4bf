import { describe, expect, it } from 'vitest';
import { type Candidate, decide, emptyExemptRules } from '../../service/src/domain/extraction.js';

const cand = (over: Partial<Candidate> & { address?: string | null; opt_out?: boolean; invalid_email?: boolean } = {}): Candidate => {
  const { address = 'Ann@Example.com', opt_out = false, invalid_email = false, ...rest } = over;
  return {
    module: 'Contacts',
    id: 'c1',
    listId: 'L1',
    fields: { first_name: 'Ann' },
    trackingConsent: true,
    email: address === null ? [] : [{ email_address: address, email_address_id: 'e1', primary_address: true, opt_out, invalid_email }],
    ...rest,
  };
};
const never = () => false;

describe('extraction decisions', () => {
  it('queues a plain target with the address exactly as Sugar stores it', () => {
    const d = decide(cand(), emptyExemptRules(), new Set(), never);
    expect(d).toEqual({
      queue: expect.objectContaining({ email: 'Ann@Example.com', addressKey: 'ann@example.com', emailAddressId: 'e1', fields: { first_name: 'Ann' } }),
    });
  });

  it.each([
    ['no address', cand({ address: null }), 'no_address'],
    ['no email array at all', { ...cand(), email: undefined }, 'no_address'],
    ['malformed address', cand({ address: 'not-an-address' }), 'malformed'],
    ['opted out', cand({ opt_out: true }), 'opted_out'],
    ['invalid', cand({ invalid_email: true }), 'invalid'],
  ] as const)('skips %s', (_name, c, reason) => {
    expect(decide(c as Candidate, emptyExemptRules(), new Set(), never)).toEqual({ skip: reason });
  });

  it('uses the primary address, not the first one', () => {
    const c = cand();
    c.email = [
      { email_address: 'old@example.com', primary_address: false, opt_out: true },
      { email_address: 'new@example.com', primary_address: true },
    ];
    expect(decide(c, emptyExemptRules(), new Set(), never)).toMatchObject({ queue: { email: 'new@example.com' } });
  });

  it('skips duplicates across lists and modules, case and IDN insensitive', () => {
    const seen = new Set<string>();
    expect(decide(cand({ address: 'bob@bücher.example' }), emptyExemptRules(), seen, never)).toHaveProperty('queue');
    expect(decide(cand({ module: 'Leads', id: 'l9', address: 'BOB@xn--bcher-kva.example' }), emptyExemptRules(), seen, never)).toEqual({ skip: 'duplicate' });
  });

  it('applies exempt members, addresses and domains', () => {
    const rules = emptyExemptRules();
    rules.members.add('Contacts:c1');
    expect(decide(cand(), rules, new Set(), never)).toEqual({ skip: 'exempt' });
    const byAddress = emptyExemptRules();
    byAddress.addresses.add('ann@example.com');
    expect(decide(cand(), byAddress, new Set(), never)).toEqual({ skip: 'exempt' });
    const byDomain = emptyExemptRules();
    byDomain.domains.add('example.com');
    expect(decide(cand(), byDomain, new Set(), never)).toEqual({ skip: 'exempt' });
    expect(decide(cand({ address: 'ann@notexample.com' }), byDomain, new Set(), never)).toHaveProperty('queue');
  });

  it('skips locally suppressed addresses by key and does not mark them seen', () => {
    const seen = new Set<string>();
    expect(decide(cand(), emptyExemptRules(), seen, (k) => k === 'ann@example.com')).toEqual({ skip: 'suppressed' });
    expect(seen.size).toBe(0);
  });
});
