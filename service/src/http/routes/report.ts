// GET /api/v1/campaigns/:id/report: for those Sugar lets see the campaign.
import { type Request, type Response, Router } from 'express';
import type { Actor } from '../../access/actor.js';
import { AppError } from '../../domain/errors.js';
import type { CampaignReport } from '../../engagement/report.js';
import { actorOf } from '../auth.js';

export interface ReportRouteDeps {
  report(campaignId: string): CampaignReport | undefined;
  /** Throws unless the actor may see the campaign. */
  mayView(campaignId: string, actor: Actor): Promise<unknown>;
}

export function reportRoutes(deps: ReportRouteDeps): Router {
  const r = Router();
  r.get('/campaigns/:id/report', async (req: Request, res: Response) => {
    const id = String(req.params.id);
    if (id.length > 200) throw new AppError('not_found', 'No such campaign');
    await deps.mayView(id, actorOf(res));
    const report = deps.report(id);
    if (!report) throw new AppError('not_found', 'No such campaign');
    res.json(report);
  });
  return r;
}
