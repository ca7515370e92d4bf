// Read-only views of the customer's Sugar for the send flow: which lists exist and which fields can be merged.
import { Router } from 'express';
import { HttpError } from '../errors.js';

export interface SugarRouteDeps {
  targetLists: () => Promise<unknown>;
  fields: (module: string) => Promise<unknown>;
}

const MODULES = new Set(['Contacts', 'Leads', 'Prospects', 'Accounts', 'Users']);

export function sugarRoutes(deps: SugarRouteDeps): Router {
  const r = Router();
  r.get('/sugar/target-lists', async (_req, res, next) => {
    try { res.json({ targetLists: await deps.targetLists() }); } catch (e) { next(e); }
  });
  r.get('/sugar/fields', async (req, res, next) => {
    try {
      const module = String(req.query.module ?? 'Contacts');
      if (!MODULES.has(module)) throw new HttpError(422, 'invalid_module', `module must be one of ${[...MODULES].join(', ')}`);
      res.json({ module, fields: await deps.fields(module) });
    } catch (e) { next(e); }
  });
  return r;
}
