// Sender identities (issue 16): administrators manage them; everyone else lists those they may pick.
import { type Request, type Response, Router } from 'express';
import type { IdentityService } from '../../identities/service.js';
import { actorOf } from '../auth.js';

const id = (req: Request) => String(req.params.id);

export function identityRoutes(identities: IdentityService): Router {
  const r = Router();
  r.get('/identities', async (_req: Request, res: Response) => {
    res.json({ identities: await identities.list(actorOf(res)) });
  });
  r.post('/identities', async (req: Request, res: Response) => {
    res.status(201).json(await identities.create(req.body ?? {}, actorOf(res)));
  });
  r.get('/identities/:id', async (req: Request, res: Response) => {
    res.json(await identities.view(id(req), actorOf(res)));
  });
  r.put('/identities/:id', async (req: Request, res: Response) => {
    res.json(await identities.update(id(req), req.body ?? {}, actorOf(res)));
  });
  r.delete('/identities/:id', async (req: Request, res: Response) => {
    await identities.remove(id(req), actorOf(res));
    res.status(204).end();
  });
  r.post('/identities/:id/default', async (req: Request, res: Response) => {
    res.json(await identities.setDefault(id(req), actorOf(res)));
  });
  r.get('/identities/:id/readiness', async (req: Request, res: Response) => {
    res.json(await identities.readiness(id(req), actorOf(res)));
  });
  r.post('/identities/:id/approve', async (req: Request, res: Response) => {
    res.json(await identities.approve(id(req), req.body ?? {}, actorOf(res)));
  });
  r.post('/identities/:id/test', async (req: Request, res: Response) => {
    res.json(await identities.testConnection(id(req), actorOf(res)));
  });
  r.post('/identities/:id/pause', async (req: Request, res: Response) => {
    const reason = typeof req.body?.reason === 'string' ? req.body.reason.slice(0, 500) : undefined;
    res.json(await identities.pauseByAdmin(id(req), reason, actorOf(res)));
  });
  r.post('/identities/:id/resume', async (req: Request, res: Response) => {
    res.json(await identities.resume(id(req), actorOf(res)));
  });
  r.get('/identities/:id/deliverability', async (req: Request, res: Response) => {
    res.json(await identities.deliverability(id(req), req.query, actorOf(res)));
  });
  return r;
}
