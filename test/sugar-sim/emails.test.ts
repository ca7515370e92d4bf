// Checklist 5: the shared email-address model (§3, fact-check rows 9-11).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SugarSim } from '../../scripts/sugar-sim/server.js';
import { api, expectSugarError, startTestSim } from './helpers.js';

let sim: SugarSim;
let a: ReturnType<typeof api>;
let token: string;
const req = (method: string, path: string, body?: unknown) => a.req(method, path, { token, body });
const entry = (email_address: string, more: Record<string, unknown> = {}) => ({ email_address, ...more });

beforeAll(async () => {
  sim = await startTestSim({ seed: 'empty' });
  a = api(sim);
  token = (await a.login('admin')).access_token;
});
afterAll(() => sim.close());

describe('email array and legacy fields', () => {
  it('returns entries with real booleans, primary first, and mirrors them in email1/email2/flags', async () => {
    const r = await req('POST', '/Contacts', {
      last_name: 'Shape',
      email: [entry('second@shape.example'), entry('first@shape.example', { primary_address: true, opt_out: true })],
    });
    expect(r.status).toBe(200);
    expect(r.body.email).toEqual([
      {
        email_address: 'first@shape.example',
        email_address_id: expect.any(String),
        primary_address: true,
        reply_to_address: false,
        invalid_email: false,
        opt_out: true,
      },
      {
        email_address: 'second@shape.example',
        email_address_id: expect.any(String),
        primary_address: false,
        reply_to_address: false,
        invalid_email: false,
        opt_out: false,
      },
    ]);
    expect(r.body).toMatchObject({ email1: 'first@shape.example', email2: 'second@shape.example', email_opt_out: true, invalid_email: false });
  });

  it('the first address becomes primary when none is marked', async () => {
    const r = await req('POST', '/Leads', { last_name: 'NoPrimary', email: [entry('a@np.example'), entry('b@np.example')] });
    expect(r.body.email.map((e: { primary_address: boolean }) => e.primary_address)).toEqual([true, false]);
  });

  it('legacy email1, email2, email_opt_out and invalid_email write the primary and secondary rows', async () => {
    const c = (await req('POST', '/Prospects', { last_name: 'Legacy', email1: 'one@legacy.example', email_opt_out: true })).body;
    expect(c.email).toMatchObject([{ email_address: 'one@legacy.example', primary_address: true, opt_out: true }]);
    const u = (await req('PUT', `/Prospects/${c.id}`, { email2: 'two@legacy.example', invalid_email: true })).body;
    expect(u).toMatchObject({ email1: 'one@legacy.example', email2: 'two@legacy.example', invalid_email: true, email_opt_out: true });
  });

  it('a record without addresses has an empty array and empty legacy fields', async () => {
    const r = await req('POST', '/Contacts', { last_name: 'Nobody' });
    expect(r.body).toMatchObject({ email: [], email1: '', email2: '', email_opt_out: false, invalid_email: false });
  });

  it('rejects a malformed address with 422 and creates nothing', async () => {
    expectSugarError(
      await req('POST', '/Contacts', { last_name: 'Bad', email: [entry('not an address')] }),
      422,
      'invalid_parameter',
      'not an address is an invalid email address',
    );
    expectSugarError(await req('POST', '/Contacts', { last_name: 'Bad', email1: 'x@' }), 422, 'invalid_parameter', 'x@ is an invalid email address');
    expectSugarError(await req('POST', '/Contacts', { last_name: 'Bad', email: 'a@b.example' }), 422, 'invalid_parameter');
    const f = encodeURIComponent(JSON.stringify([{ last_name: 'Bad' }]));
    expect((await req('GET', `/Contacts/count?filter=${f}`)).body).toEqual({ record_count: 0 });
  });

  it('accepts an IDN domain', async () => {
    const r = await req('POST', '/Contacts', { last_name: 'Idn', email: [entry('jörg@bücher.example')] });
    expect(r.status).toBe(200);
    expect(r.body.email1).toBe('jörg@bücher.example');
  });
});

describe('shared rows', () => {
  it('one row per address regardless of case; the latest save decides the casing everywhere', async () => {
    const c = (await req('POST', '/Contacts', { last_name: 'Case1', email: [entry('Pat@Shared.example')] })).body;
    const l = (await req('POST', '/Leads', { last_name: 'Case2', email: [entry('pat@shared.example')] })).body;
    expect(l.email[0].email_address_id).toBe(c.email[0].email_address_id);
    expect((await req('GET', `/Contacts/${c.id}`)).body.email1).toBe('pat@shared.example');
    const n = sim.db.prepare("SELECT COUNT(*) AS n FROM email_addresses WHERE email_address_caps = 'PAT@SHARED.EXAMPLE'").get();
    expect(n).toEqual({ n: 1 });
  });

  it('PUT /EmailAddresses/:id sets flags on the shared row, returns the row shape and every record sees it', async () => {
    const c = (await req('POST', '/Contacts', { last_name: 'Flag1', email: [entry('flag@shared.example')] })).body;
    const p = (await req('POST', '/Prospects', { last_name: 'Flag2', email: [entry('flag@shared.example')] })).body;
    const id = c.email[0].email_address_id;
    const r = await req('PUT', `/EmailAddresses/${id}`, { opt_out: true, email_address: 'changed@shared.example' });
    expect(r.status).toBe(200);
    expect(Object.keys(r.body).sort()).toEqual([
      '_acl',
      '_module',
      'date_created',
      'date_modified',
      'deleted',
      'email_address',
      'email_address_caps',
      'id',
      'invalid_email',
      'opt_out',
    ]);
    expect(r.body).toMatchObject({
      id,
      email_address: 'flag@shared.example',
      email_address_caps: 'FLAG@SHARED.EXAMPLE',
      opt_out: true,
      invalid_email: false,
      deleted: false,
      _module: 'EmailAddresses',
    });
    expect((await req('GET', `/Contacts/${c.id}`)).body.email_opt_out).toBe(true);
    expect((await req('GET', `/Prospects/${p.id}`)).body.email[0].opt_out).toBe(true);
    const inv = await req('PUT', `/EmailAddresses/${id}`, { invalid_email: true });
    expect(inv.body.invalid_email).toBe(true);
    const f = encodeURIComponent(JSON.stringify([{ 'email_addresses.invalid_email': true }, { last_name: { $starts: 'Flag' } }]));
    expect((await req('GET', `/Contacts?filter=${f}&fields=last_name`)).body.records).toMatchObject([{ id: c.id }]);
  });

  it('updating a linked record keeps the flag; creating another record with the address resets opt_out (row 11)', async () => {
    const c = (await req('POST', '/Contacts', { last_name: 'Keep', email: [entry('keep@shared.example')] })).body;
    const id = c.email[0].email_address_id;
    await req('PUT', `/EmailAddresses/${id}`, { opt_out: true });
    const u = await req('PUT', `/Contacts/${c.id}`, { email: [entry('keep@shared.example'), entry('extra@shared.example')] });
    expect(u.body.email[0]).toMatchObject({ email_address: 'keep@shared.example', opt_out: true, primary_address: true });
    await req('POST', '/Leads', { last_name: 'Reset', email: [entry('keep@shared.example')] });
    expect((await req('GET', `/EmailAddresses/${id}`)).body.opt_out).toBe(false);
    expect((await req('GET', `/Contacts/${c.id}`)).body.email_opt_out).toBe(false);
  });

  it('PUT email replaces the whole set', async () => {
    const c = (await req('POST', '/Contacts', { last_name: 'Replace', email: [entry('r1@set.example'), entry('r2@set.example')] })).body;
    const r = await req('PUT', `/Contacts/${c.id}`, { email: [entry('r3@set.example')] });
    expect(r.body.email.map((e: { email_address: string }) => e.email_address)).toEqual(['r3@set.example']);
  });

  it('POST /EmailAddresses returns the known row instead of a duplicate', async () => {
    const first = await req('POST', '/EmailAddresses', { email_address: 'Known@Row.example' });
    expect(first.status).toBe(200);
    const again = await req('POST', '/EmailAddresses', { email_address: 'known@row.example', opt_out: true });
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.email_address).toBe('Known@Row.example');
    expectSugarError(await req('POST', '/EmailAddresses', { email_address: 'nope' }), 422, 'invalid_parameter', 'nope is an invalid email address');
    expectSugarError(await req('POST', '/EmailAddresses', {}), 422, 'missing_parameter');
  });
});
