// The campaign report for those Sugar lets see the campaign: GET /campaigns/:id/report (figures, links, providers,
// timeline), /people (bounces, complaints, opt-outs, uncertain messages as lists of Sugar records) and /export (CSV,
// streamed a page at a time; through Sugar's relay it arrives as one envelope with contentType text/csv).
import { type Request, type Response, Router } from 'express';
import type { Actor } from '../../access/actor.js';
import { AppError } from '../../domain/errors.js';
import type { CampaignReport } from '../../engagement/report.js';
import { actorOf } from '../auth.js';

export interface ReportRouteDeps {
  report(campaignId: string): Promise<CampaignReport | undefined>;
  /** Throws unless the actor may see the campaign. */
  mayView(campaignId: string, actor: Actor): Promise<unknown>;
  people(campaignId: string, query: unknown, actor: Actor): unknown;
  /** The CSV export as chunks; the first chunk is asked for before anything is answered (refusals throw there). */
  csv(campaignId: string, actor: Actor): AsyncIterator<string>;
}

async function campaignId(req: Request, res: Response, deps: ReportRouteDeps): Promise<string> {
  const id = String(req.params.id);
  if (id.length > 200) throw new AppError('not_found', 'No such campaign');
  await deps.mayView(id, actorOf(res));
  return id;
}

export function reportRoutes(deps: ReportRouteDeps): Router {
  const r = Router();
  r.get('/campaigns/:id/report', async (req: Request, res: Response) => {
    const report = await deps.report(await campaignId(req, res, deps));
    if (!report) throw new AppError('not_found', 'No such campaign');
    res.json(report);
  });
  r.get('/campaigns/:id/people', async (req: Request, res: Response) => {
    res.json(await deps.people(await campaignId(req, res, deps), req.query, actorOf(res)));
  });
  r.get('/campaigns/:id/export', async (req: Request, res: Response) => {
    const id = await campaignId(req, res, deps);
    const chunks = deps.csv(id, actorOf(res));
    let next = await chunks.next();
    res
      .status(200)
      .set({ 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="campaign-${id.replace(/[^A-Za-z0-9_-]/g, '_')}.csv"` });
    try {
      while (!next.done) {
        if (!res.write(next.value)) await new Promise<void>((resume) => (res.once('drain', resume), res.once('close', resume)));
        if (res.destroyed) return;
        next = await chunks.next();
      }
      res.end();
    } catch {
      // The answer has begun: a failure now can only cut it short, so the reader sees an incomplete download.
      res.destroy();
    }
  });
  return r;
}
