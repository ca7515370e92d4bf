// GET /api/v1/writeback/dead and POST /api/v1/writeback/revive (authenticated by the API router):
// the operator sees what could not reach Sugar and why, fixes the cause, and sends it again.
import { Router, type NextFunction, type Request, type Response } from 'express';
import { AppError } from '../../domain/errors.js';
import { actorOf } from '../auth.js';
import { isPrivileged } from '../../access/actor.js';

export interface WritebackRouteDeps {
  dead(limit: number, campaignId?: string): Array<{ id: number; key: string; kind: string; campaignId?: string; lastError: string; attempts: number }>;
  revive(ids: number[] | undefined, campaignId?: string): number;
}

const campaignParam = (v: unknown): string | undefined => {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string' || v.length > 200) throw new AppError('invalid_input', 'campaignId must be a campaign id');
  return v;
};

export function writebackRoutes(deps: WritebackRouteDeps): Router {
  const r = Router();
  // Dead rows name records across campaigns, and reviving writes to Sugar: Sugar administrators and the operator only.
  r.use('/writeback', (_req: Request, res: Response, next: NextFunction) => {
    if (!isPrivileged(actorOf(res))) throw new AppError('admin_only', 'Only a Sugar administrator can see or revive write-back rows');
    next();
  });
  r.get('/writeback/dead', (req: Request, res: Response) => {
    const limit = Math.min(Math.max(Number(req.query.limit ?? 100) || 100, 1), 1000);
    res.json({ dead: deps.dead(limit, campaignParam(req.query.campaignId)) });
  });
  r.post('/writeback/revive', (req: Request, res: Response) => {
    const body = (req.body ?? {}) as { ids?: unknown; campaignId?: unknown };
    const campaignId = campaignParam(body.campaignId);
    let ids: number[] | undefined;
    if (body.ids !== undefined) {
      if (!Array.isArray(body.ids) || body.ids.length > 10_000 || body.ids.some((x) => !Number.isSafeInteger(x) || (x as number) < 1)) {
        throw new AppError('invalid_input', 'ids must be an array of outbox row ids (positive integers)');
      }
      ids = body.ids as number[];
    }
    if (ids === undefined && campaignId === undefined) throw new AppError('invalid_input', 'give ids or a campaignId');
    res.json({ revived: deps.revive(ids, campaignId) });
  });
  return r;
}
