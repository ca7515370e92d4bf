// Campaigns (and automations) through the service's API as the end-to-end tests make and watch them: one valid body
// from the default sender domain, so a test spells out only the fields it is about.
import { expect } from 'vitest';
import { waitFor } from './stack.js';

export interface CampaignBody {
  name: string;
  subject: string;
  fromName: string;
  fromEmail: string;
  html: string;
  targetListIds: string[];
  [field: string]: unknown;
}

/** A POST /campaigns body: a plain campaign from news@news.example.test to `targetListIds`, changed by `over`. */
export function campaignBody(targetListIds: string[], over: Partial<CampaignBody> = {}): CampaignBody {
  return { name: 'Spring news', subject: 'Hello', fromName: 'News', fromEmail: 'news@news.example.test', html: '<p>Hi</p>', targetListIds, ...over };
}

/** A JSON client of /api/v1: the stack's own, or one calling as a Sugar user. */
type Api = (method: string, path: string) => Promise<{ body: any }>;
type PostingApi = (method: string, path: string, body: unknown) => Promise<{ status: number; body: any }>;

/** POSTs the campaign through `api` and answers its id; a refusal fails the test showing why. */
export async function createCampaign(api: PostingApi, body: CampaignBody): Promise<string> {
  const r = await api('POST', '/campaigns', body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id as string;
}

/** POSTs the automation through `api` and answers its id; a refusal fails the test showing why. */
export async function createAutomation(api: PostingApi, body: { name: string; steps: unknown[]; [field: string]: unknown }): Promise<string> {
  const r = await api('POST', '/automations', body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id as string;
}

/** The campaign's view once its status is `done` (or `done(view)` holds), polled through GET /campaigns/:id. */
export function untilCampaign(api: Api, id: string, done: string | ((view: any) => unknown), what: string, timeoutMs?: number): Promise<any> {
  const ok = typeof done === 'string' ? (v: { status: string }) => v.status === done : done;
  return waitFor(
    async () => {
      const view = (await api('GET', `/campaigns/${id}`)).body;
      return ok(view) ? view : undefined;
    },
    what,
    timeoutMs,
  );
}
