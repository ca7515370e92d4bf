import { type Request, type Response, Router } from 'express';
import type { createLeadfwdLists } from '../../lists/service.js';
import { actorOf } from '../auth.js';

export function listRoutes(lists: ReturnType<typeof createLeadfwdLists>): Router {
  const r = Router();
  r.get('/lists', async (_req: Request, res: Response) => {
    res.json({ lists: await lists.list(actorOf(res)) });
  });
  r.get('/lists/:id', async (req: Request, res: Response) => {
    res.json(await lists.get(String(req.params.id), actorOf(res), { after: req.query.after, limit: req.query.limit }));
  });
  r.post('/lists', async (req: Request, res: Response) => {
    const body = req.body ?? {};
    const actor = actorOf(res);
    res.status(201).json(body.csv !== undefined ? await lists.fromCsv(body, actor) : await lists.fromFilter(body, actor));
  });
  return r;
}
