// GET /api/v1/campaigns/:id/report (authenticated by the API router).
import { Router } from 'express';
import { HttpError } from '../errors.js';
import type { CampaignReport } from '../../services/engagement/report.js';

export function reportRoutes(deps: { report(campaignId: string): CampaignReport | undefined }): Router {
  const r = Router();
  r.get('/campaigns/:id/report', (req, res, next) => {
    try {
      const id = String(req.params.id);
      const report = id.length <= 200 ? deps.report(id) : undefined;
      if (!report) throw new HttpError(404, 'not_found', 'No such campaign');
      res.json(report);
    } catch (e) {
      next(e);
    }
  });
  return r;
}
