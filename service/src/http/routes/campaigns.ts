import { Router } from 'express';
import type { CampaignService } from '../../services/campaigns.js';
import type { Campaign } from '../../domain/types.js';

export interface CampaignRouteDeps {
  campaigns: CampaignService;
  kick: () => void;
  testSend: (c: Campaign, body: Record<string, unknown>) => Promise<unknown>;
  preview: (input: Record<string, unknown>) => Promise<unknown>;
}

const wrap = <T>(fn: (req: import('express').Request) => Promise<T> | T, status = 200) =>
  async (req: import('express').Request, res: import('express').Response, next: import('express').NextFunction) => {
    try { res.status(status).json(await fn(req)); } catch (e) { next(e); }
  };

export function campaignRoutes(deps: CampaignRouteDeps): Router {
  const r = Router();
  const { campaigns } = deps;
  const id = (req: import('express').Request) => String(req.params.id);
  r.post('/campaigns', wrap(async (req) => {
    const c = await campaigns.create(req.body ?? {});
    deps.kick();
    return campaigns.view(c.id);
  }, 201));
  r.get('/campaigns', wrap((req) => {
    const limit = Math.min(Math.max(Number(req.query.limit ?? 50) || 50, 1), 500);
    const offset = Math.max(Number(req.query.offset ?? 0) || 0, 0);
    return { campaigns: campaigns.list(limit, offset).map((c) => campaigns.view(c.id)) };
  }));
  r.get('/campaigns/:id', wrap((req) => campaigns.view(id(req))));
  for (const action of ['pause', 'resume', 'cancel'] as const) {
    r.post(`/campaigns/:id/${action}`, wrap((req) => {
      campaigns[action](id(req));
      deps.kick();
      return campaigns.view(id(req));
    }));
  }
  r.post('/campaigns/:id/confirm', wrap((req) => {
    campaigns.confirm(id(req), req.body ?? {});
    deps.kick();
    return campaigns.view(id(req));
  }));
  r.post('/campaigns/:id/test-send', wrap((req) => deps.testSend(campaigns.get(id(req)), req.body ?? {})));
  r.post('/preview', wrap((req) => deps.preview(req.body ?? {})));
  return r;
}
