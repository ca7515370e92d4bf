// Sender identities (issue 16): administrators manage them; everyone else lists those they may pick.
import { type Request, type Response, Router } from 'express';
import type { IdentityService } from '../../identities/service.js';
import { actorOf } from '../auth.js';

const id = (req: Request) => String(req.params.id);

export function identityRoutes(identities: IdentityService): Router {
  const r = Router();
  r.get('/identities', (_req: Request, res: Response) => {
    res.json({ identities: identities.list(actorOf(res)) });
  });
  r.post('/identities', async (req: Request, res: Response) => {
    res.status(201).json(await identities.create(req.body ?? {}, actorOf(res)));
  });
  r.get('/identities/:id', (req: Request, res: Response) => {
    res.json(identities.view(id(req), actorOf(res)));
  });
  r.put('/identities/:id', async (req: Request, res: Response) => {
    res.json(await identities.update(id(req), req.body ?? {}, actorOf(res)));
  });
  r.delete('/identities/:id', (req: Request, res: Response) => {
    identities.remove(id(req), actorOf(res));
    res.status(204).end();
  });
  r.post('/identities/:id/default', (req: Request, res: Response) => {
    res.json(identities.setDefault(id(req), actorOf(res)));
  });
  r.get('/identities/:id/readiness', async (req: Request, res: Response) => {
    res.json(await identities.readiness(id(req), actorOf(res)));
  });
  r.post('/identities/:id/approve', (req: Request, res: Response) => {
    res.json(identities.approve(id(req), req.body ?? {}, actorOf(res)));
  });
  r.post('/identities/:id/test', async (req: Request, res: Response) => {
    res.json(await identities.testConnection(id(req), actorOf(res)));
  });
  r.post('/identities/:id/pause', (req: Request, res: Response) => {
    const reason = typeof req.body?.reason === 'string' ? req.body.reason.slice(0, 500) : undefined;
    res.json(identities.pauseByAdmin(id(req), reason, actorOf(res)));
  });
  r.post('/identities/:id/resume', (req: Request, res: Response) => {
    res.json(identities.resume(id(req), actorOf(res)));
  });
  r.get('/identities/:id/deliverability', (req: Request, res: Response) => {
    res.json(identities.deliverability(id(req), req.query, actorOf(res)));
  });
  return r;
}
