import { type Request, type Response, Router } from 'express';
import type { Actor } from '../../access/actor.js';
import type { CampaignService } from '../../campaigns/service.js';
import type { Campaign } from '../../domain/types.js';
import { actorOf } from '../auth.js';

export interface CampaignRouteDeps {
  campaigns: CampaignService;
  kick: () => void;
  testSend: (c: Campaign, body: Record<string, unknown>, actor: Actor) => Promise<unknown>;
}

const id = (req: Request) => String(req.params.id);
const page = (v: unknown, dflt: number, max: number) => Math.min(Math.max(Number(v ?? dflt) || dflt, 1), max);

export function campaignRoutes(deps: CampaignRouteDeps): Router {
  const r = Router();
  const { campaigns } = deps;
  r.post('/campaigns', async (req: Request, res: Response) => {
    const c = await campaigns.create(req.body ?? {}, actorOf(res));
    deps.kick();
    res.status(201).json(campaigns.view(c.id));
  });
  r.get('/campaigns', async (req: Request, res: Response) => {
    const offset = Math.max(Number(req.query.offset ?? 0) || 0, 0);
    const list = await campaigns.list(page(req.query.limit, 50, 500), offset, actorOf(res));
    res.json({ campaigns: list.map((c) => campaigns.view(c.id)) });
  });
  r.get('/campaigns/:id', async (req: Request, res: Response) => {
    await campaigns.allowed(id(req), actorOf(res), 'view');
    res.json(campaigns.view(id(req)));
  });
  for (const action of ['pause', 'resume', 'cancel'] as const) {
    r.post(`/campaigns/:id/${action}`, async (req: Request, res: Response) => {
      await campaigns[action](id(req), actorOf(res));
      deps.kick();
      res.json(campaigns.view(id(req)));
    });
  }
  r.post('/campaigns/:id/confirm', async (req: Request, res: Response) => {
    await campaigns.confirm(id(req), req.body ?? {}, actorOf(res));
    deps.kick();
    res.json(campaigns.view(id(req)));
  });
  r.post('/campaigns/:id/test-send', async (req: Request, res: Response) => {
    const actor = actorOf(res);
    res.json(await deps.testSend(await campaigns.allowed(id(req), actor, 'edit'), req.body ?? {}, actor));
  });
  r.post('/preview', async (req: Request, res: Response) => {
    res.json(await campaigns.preview(req.body ?? {}));
  });
  return r;
}
