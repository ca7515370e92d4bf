import { Router, type RequestHandler } from 'express';
import type { AutomationService } from '../../automations/service.js';

export function automationRoutes(automations: AutomationService): Router {
  const r = Router();
  const wrap = (fn: (req: Parameters<RequestHandler>[0]) => unknown, status = 200): RequestHandler => async (req, res, next) => {
    try { res.status(status).json(await fn(req)); } catch (e) { next(e); }
  };
  const id = (req: Parameters<RequestHandler>[0]) => String(req.params.id);
  const page = (v: unknown, dflt: number, max: number) => Math.min(max, Math.max(0, Number.parseInt(String(v ?? dflt), 10) || 0));
  r.get('/automations', wrap((req) => ({ automations: automations.list(page(req.query.limit, 50, 200) || 50, page(req.query.offset, 0, 1e9)) })));
  r.post('/automations', wrap((req) => automations.create(req.body), 201));
  r.get('/automations/:id', wrap((req) => automations.view(id(req))));
  r.put('/automations/:id', wrap((req) => automations.update(id(req), req.body)));
  r.post('/automations/:id/pause', wrap((req) => automations.pause(id(req))));
  r.post('/automations/:id/resume', wrap((req) => automations.resume(id(req))));
  r.post('/automations/:id/stop', wrap((req) => automations.stop(id(req))));
  r.post('/automations/:id/enrol', wrap((req) => automations.enrol(id(req), req.body)));
  return r;
}
