// GET /api/v1/writeback/dead and POST /api/v1/writeback/revive (authenticated by the API router):
// the operator sees what could not reach Sugar and why, fixes the cause, and sends it again.
import { type NextFunction, type Request, type Response, Router } from 'express';
import { isPrivileged } from '../../access/actor.js';
import { AppError } from '../../domain/errors.js';
import { parseInput } from '../../domain/input.js';
import { DeadRowsQuery, ReviveBody } from '../../writeback/schemas.js';
import { actorOf } from '../auth.js';

export interface WritebackRouteDeps {
  dead(limit: number, campaignId?: string): Promise<Array<{ id: number; key: string; kind: string; campaignId?: string; lastError: string; attempts: number }>>;
  revive(ids: number[] | undefined, campaignId?: string): Promise<number>;
}

export function writebackRoutes(deps: WritebackRouteDeps): Router {
  const r = Router();
  // Dead rows name records across campaigns, and reviving writes to Sugar: Sugar administrators and the operator only.
  r.use('/writeback', (_req: Request, res: Response, next: NextFunction) => {
    if (!isPrivileged(actorOf(res))) throw new AppError('admin_only', 'Only a Sugar administrator can see or revive write-back rows');
    next();
  });
  r.get('/writeback/dead', async (req: Request, res: Response) => {
    const { limit, campaignId } = parseInput(DeadRowsQuery, req.query, 'invalid_input');
    res.json({ dead: await deps.dead(limit, campaignId) });
  });
  r.post('/writeback/revive', async (req: Request, res: Response) => {
    const { ids, campaignId } = parseInput(ReviveBody, req.body, 'invalid_input');
    res.json({ revived: await deps.revive(ids, campaignId) });
  });
  return r;
}
