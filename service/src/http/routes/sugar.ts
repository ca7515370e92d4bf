// Read-only views of the customer's Sugar for the send flow, asked as the user: which lists exist and which
// fields they may merge.
import { type Request, type Response, Router } from 'express';
import { requireModule } from '../../access/policy.js';
import { mergeFields, targetLists } from '../../campaigns/sugar-directory.js';
import type { SugarTemplates } from '../../campaigns/sugar-templates.js';
import { AppError } from '../../domain/errors.js';
import { isListModule, LIST_MODULES } from '../../domain/rights.js';
import { actorOf } from '../auth.js';

export function sugarRoutes(templates?: SugarTemplates): Router {
  const r = Router();
  if (templates) {
    r.get('/sugar/email-templates', async (_req: Request, res: Response) => {
      res.json({ emailTemplates: await templates.list(actorOf(res)) });
    });
    r.get('/sugar/email-templates/:id', async (req: Request, res: Response) => {
      res.json(await templates.pick(String(req.params.id), actorOf(res)));
    });
    r.post('/sugar/email-templates', async (req: Request, res: Response) => {
      res.status(201).json(await templates.save(req.body ?? {}, actorOf(res)));
    });
    r.get('/sugar/saved-filters', async (_req: Request, res: Response) => {
      res.json({ savedFilters: await templates.savedFilters(actorOf(res)) });
    });
    r.get('/sugar/reports', async (_req: Request, res: Response) => {
      res.json({ reports: await templates.reports(actorOf(res)) });
    });
  }
  r.get('/sugar/target-lists', async (_req: Request, res: Response) => {
    res.json({ targetLists: await targetLists(actorOf(res)) });
  });
  r.get('/sugar/fields', async (req: Request, res: Response) => {
    const module = String(req.query.module ?? 'Contacts');
    if (!isListModule(module)) throw new AppError('invalid_module', `module must be one of ${LIST_MODULES.join(', ')}`);
    requireModule(actorOf(res), module, 'view');
    res.json({ module, fields: await mergeFields(actorOf(res), module) });
  });
  return r;
}
