import { type Request, type Response, Router } from 'express';
import type { AbTests } from '../../campaigns/ab-tests.js';
import { actorOf } from '../auth.js';

export function abTestRoutes(deps: { abTests: AbTests; kick: () => void }): Router {
  const r = Router();
  r.post('/ab-tests', async (req: Request, res: Response) => {
    const t = await deps.abTests.create(req.body ?? {}, actorOf(res));
    deps.kick();
    res.status(201).json(await deps.abTests.view(t.id, actorOf(res)));
  });
  r.get('/ab-tests/:id', async (req: Request, res: Response) => {
    res.json(await deps.abTests.view(String(req.params.id), actorOf(res)));
  });
  r.post('/ab-tests/:id/winner', async (req: Request, res: Response) => {
    res.json(await deps.abTests.chooseByHand(String(req.params.id), req.body ?? {}, actorOf(res)));
  });
  return r;
}
