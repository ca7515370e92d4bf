import { type Request, type Response, Router } from 'express';
import type { Actor } from '../../access/actor.js';
import type { FollowUps } from '../../campaigns/follow-up.js';
import type { CampaignService } from '../../campaigns/service.js';
import { AppError } from '../../domain/errors.js';
import type { Campaign } from '../../domain/types.js';
import { actorOf } from '../auth.js';

export interface CampaignRouteDeps {
  campaigns: CampaignService;
  kick: () => unknown;
  testSend: (c: Campaign, body: Record<string, unknown>, actor: Actor) => Promise<unknown>;
  /** A campaign's key figures for a list row (people's opens and clicks, bounces, opt-outs). */
  figures: (campaignId: string) => unknown;
  /** The operator's decision on uncertain messages (campaigns/uncertain.ts). */
  resolveUncertain: (id: string, body: unknown, actor: Actor) => Promise<unknown>;
  /** Resend to non-openers (campaigns/follow-up.ts). */
  followUps: FollowUps;
}

const id = (req: Request) => String(req.params.id);

export function campaignRoutes(deps: CampaignRouteDeps): Router {
  const r = Router();
  const { campaigns } = deps;
  r.post('/campaigns', async (req: Request, res: Response) => {
    const c = await campaigns.create(req.body ?? {}, actorOf(res));
    deps.kick();
    res.status(201).json(await campaigns.view(c.id));
  });
  r.get('/campaigns', async (req: Request, res: Response) => {
    const page = await campaigns.find(req.query, actorOf(res));
    const withFigures = req.query.figures === 'true';
    res.json({
      campaigns: await Promise.all(
        page.campaigns.map(async (c) => ({
          ...(await campaigns.view(c.id)),
          mayEdit: page.editable.has(c.id),
          ...(withFigures ? { figures: await deps.figures(c.id) } : {}),
        })),
      ),
      total: page.total,
      limit: page.limit,
      offset: page.offset,
    });
  });
  r.get('/campaigns/:id', async (req: Request, res: Response) => {
    const actor = actorOf(res);
    await campaigns.allowed(id(req), actor, 'view');
    // Whether Sugar lets the caller change it, so a screen offers only the actions that will work.
    const mayEdit = await campaigns.allowed(id(req), actor, 'edit').then(
      () => true,
      (e: unknown) => {
        if (e instanceof AppError && (e.code === 'not_your_campaign' || e.code === 'sugar_rights')) return false;
        throw e;
      },
    );
    res.json({ ...(await campaigns.view(id(req))), mayEdit });
  });
  r.post('/campaigns/:id/uncertain', async (req: Request, res: Response) => {
    const result = await deps.resolveUncertain(id(req), req.body ?? {}, actorOf(res));
    deps.kick();
    res.json(result);
  });
  for (const action of ['pause', 'resume', 'cancel'] as const) {
    r.post(`/campaigns/:id/${action}`, async (req: Request, res: Response) => {
      await campaigns[action](id(req), actorOf(res));
      deps.kick();
      res.json(await campaigns.view(id(req)));
    });
  }
  r.post('/campaigns/:id/discard', async (req: Request, res: Response) => {
    res.json(await campaigns.discard(id(req), actorOf(res)));
  });
  r.post('/campaigns/:id/confirm', async (req: Request, res: Response) => {
    await campaigns.confirm(id(req), req.body ?? {}, actorOf(res));
    deps.kick();
    res.json(await campaigns.view(id(req)));
  });
  r.post('/campaigns/:id/test-send', async (req: Request, res: Response) => {
    const actor = actorOf(res);
    res.json(await deps.testSend(await campaigns.allowed(id(req), actor, 'edit'), req.body ?? {}, actor));
  });
  r.get('/campaigns/:id/follow-up', async (req: Request, res: Response) => {
    res.json(await deps.followUps.audience(id(req), actorOf(res)));
  });
  r.post('/campaigns/:id/follow-up', async (req: Request, res: Response) => {
    const c = await deps.followUps.create(id(req), req.body ?? {}, actorOf(res));
    deps.kick();
    res.status(201).json(await campaigns.view(c.id));
  });
  r.post('/preview', async (req: Request, res: Response) => {
    res.json(await campaigns.preview(req.body ?? {}));
  });
  return r;
}
