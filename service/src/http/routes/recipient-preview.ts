// The review step's recipient preview and the content step's MJML → HTML conversion (campaigns/recipient-preview.ts).
import { type Request, type Response, Router } from 'express';
import type { RecipientPreview } from '../../campaigns/recipient-preview.js';
import { actorOf } from '../auth.js';

const int = (v: unknown, dflt: number, min: number, max: number) =>
  Math.min(Math.max(Number.isFinite(Number(v)) && v !== undefined && v !== '' ? Math.trunc(Number(v)) : dflt, min), max);

export function recipientPreviewRoutes(preview: RecipientPreview): Router {
  const r = Router();
  r.get('/campaigns/:id/recipients', async (req: Request, res: Response) => {
    const page = { limit: int(req.query.limit, 50, 1, 200), offset: int(req.query.offset, 0, 0, 10_000_000) };
    res.json(await preview.recipients(String(req.params.id), actorOf(res), page));
  });
  r.post('/campaigns/:id/preview', async (req: Request, res: Response) => {
    res.json(await preview.message(String(req.params.id), req.body?.rowId, actorOf(res)));
  });
  r.post('/preview/mjml', async (req: Request, res: Response) => {
    res.json(await preview.mjmlToHtml(req.body ?? {}, actorOf(res)));
  });
  return r;
}
