import { type Request, type Response, Router } from 'express';
import type { AutomationService } from '../../automations/service.js';
import { actorOf } from '../auth.js';

export function automationRoutes(automations: AutomationService): Router {
  const r = Router();
  const id = (req: Request) => String(req.params.id);
  const page = (v: unknown, dflt: number, max: number) => Math.min(max, Math.max(0, Number.parseInt(String(v ?? dflt), 10) || 0));
  r.get('/automations', async (req: Request, res: Response) => {
    res.json({ automations: await automations.list(page(req.query.limit, 50, 200) || 50, page(req.query.offset, 0, 1e9), actorOf(res)) });
  });
  r.post('/automations', async (req: Request, res: Response) => {
    res.status(201).json(await automations.create(req.body, actorOf(res)));
  });
  r.get('/automations/:id', async (req: Request, res: Response) => {
    const actor = actorOf(res);
    const view = await automations.view(id(req), actor);
    res.json({ ...view, mayEdit: await automations.mayEdit(id(req), actor) });
  });
  r.put('/automations/:id', async (req: Request, res: Response) => {
    res.json(await automations.update(id(req), req.body, actorOf(res)));
  });
  for (const action of ['pause', 'resume', 'stop'] as const) {
    r.post(`/automations/:id/${action}`, async (req: Request, res: Response) => {
      res.json(await automations[action](id(req), actorOf(res)));
    });
  }
  // Three segments, as the Sugar relay forwards (leadfwd/api/<1 to 3 segments>): the step travels in the body.
  r.post('/automations/:id/split-winner', async (req: Request, res: Response) => {
    res.json(await automations.chooseSplitWinner(id(req), req.body ?? {}, actorOf(res)));
  });
  r.post('/automations/:id/enrol', async (req: Request, res: Response) => {
    res.json(await automations.enrol(id(req), req.body, actorOf(res)));
  });
  return r;
}
