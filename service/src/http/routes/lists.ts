import { Router } from 'express';
import type { createLeadfwdLists } from '../../services/leadfwd-lists.js';

export function listRoutes(lists: ReturnType<typeof createLeadfwdLists>): Router {
  const r = Router();
  r.get('/lists', (_req, res) => { res.json({ lists: lists.list() }); });
  r.get('/lists/:id', (req, res, next) => {
    try { res.json(lists.get(String(req.params.id), { after: req.query.after, limit: req.query.limit })); } catch (e) { next(e); }
  });
  r.post('/lists', async (req, res, next) => {
    try {
      const body = req.body ?? {};
      res.status(201).json(body.csv !== undefined ? await lists.fromCsv(body) : await lists.fromFilter(body));
    } catch (e) { next(e); }
  });
  return r;
}
