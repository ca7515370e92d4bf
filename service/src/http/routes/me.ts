// GET /api/v1/me: who the caller is and what LeadFWD lets them do, so the UI can show one clear no-access state
// instead of failing later. POST /api/v1/relay/pairing-code: a new pairing code, for the operator's API key only.
import { type Request, type Response, Router } from 'express';
import { isPrivileged } from '../../access/actor.js';
import { allowsModule } from '../../access/policy.js';
import { AppError } from '../../domain/errors.js';
import { LIST_MODULES } from '../../domain/rights.js';
import { actorOf } from '../auth.js';

export function meRoutes(deps: { newPairingCode(): Promise<{ code: string; expiresAt: string }> }): Router {
  const r = Router();
  r.get('/me', (_req: Request, res: Response) => {
    const actor = actorOf(res);
    const listModules = LIST_MODULES.filter((m) => allowsModule(actor, m, 'list'));
    res.json({
      user: actor.kind === 'user' ? { id: actor.id, userName: actor.userName, isAdmin: actor.isAdmin } : null,
      can: {
        viewCampaigns: allowsModule(actor, 'Campaigns', 'list'),
        createCampaigns: allowsModule(actor, 'Campaigns', 'create'),
        editCampaigns: allowsModule(actor, 'Campaigns', 'edit'),
        exportCampaigns: allowsModule(actor, 'Campaigns', 'export'),
        buildLists: listModules.length > 0,
        listModules,
        manageWriteback: isPrivileged(actor),
      },
    });
  });
  r.post('/relay/pairing-code', async (_req: Request, res: Response) => {
    if (actorOf(res).kind !== 'operator') throw new AppError('api_key_only', 'Only the operator (API key) can make a pairing code');
    res.status(201).json(await deps.newPairingCode());
  });
  return r;
}
