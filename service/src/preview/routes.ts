// Routes of the review step's recipient preview and the content step's MJML → HTML conversion (recipient-preview.ts).
import { Router, type Request, type Response } from 'express';
import { actorOf } from '../http/auth.js';
import { listRecipients, mjmlToHtml, previewForRecipient, type RecipientPreviewDeps } from './recipient-preview.js';

const int = (v: unknown, dflt: number, min: number, max: number) => Math.min(Math.max(Number.isFinite(Number(v)) && v !== undefined && v !== '' ? Math.trunc(Number(v)) : dflt, min), max);

export function recipientPreviewRoutes(deps: RecipientPreviewDeps): Router {
  const r = Router();
  r.get('/campaigns/:id/recipients', async (req: Request, res: Response) => {
    res.json(await listRecipients(deps, String(req.params.id), actorOf(res), { limit: int(req.query.limit, 50, 1, 200), offset: int(req.query.offset, 0, 0, 10_000_000) }));
  });
  r.post('/campaigns/:id/preview', async (req: Request, res: Response) => {
    res.json(await previewForRecipient(deps, String(req.params.id), (req.body ?? {}).rowId, actorOf(res)));
  });
  r.post('/preview/mjml', async (req: Request, res: Response) => {
    res.json(await mjmlToHtml(deps, req.body ?? {}, actorOf(res)));
  });
  return r;
}
