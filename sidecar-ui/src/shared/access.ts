// What LeadFWD lets this user do (GET me through the relay, docs/relay.md): the screens show one clear no-access
// state instead of failing later. Sugar's roles decide; the service reads them with the user's own token.
import type { ServiceClient } from './service-client.js';

export interface Access {
  user: { id: string; userName: string; isAdmin: boolean } | null;
  can: { viewCampaigns: boolean; createCampaigns: boolean; editCampaigns?: boolean; exportCampaigns?: boolean; buildLists: boolean; listModules: string[] };
}

export function loadAccess(client: ServiceClient): Promise<Access> {
  return client.get<Access>('/me');
}
