// LeadFWD settings live in Sugar (custom endpoint leadfwd/config, see LeadfwdConfigApi.php): the service URL
// every user needs and the write-back options only admins change. No secret is stored there.
import { getApp, sugarCall } from './app.js';
import { createServiceClient, type ServiceClient } from './service-client.js';

export interface LeadfwdSettings { service_url: string; optout_scope: 'address' | 'all'; set_sugar_optout: boolean }

export const settingsUrl = () => getApp().api.buildURL('leadfwd', 'config');

export async function loadSettings(): Promise<LeadfwdSettings> {
  const s = await sugarCall<Partial<LeadfwdSettings>>('read', settingsUrl());
  return {
    service_url: typeof s?.service_url === 'string' ? s.service_url : '',
    optout_scope: s?.optout_scope === 'address' ? 'address' : 'all',
    set_sugar_optout: s?.set_sugar_optout !== false,
  };
}

export function saveSettings(s: LeadfwdSettings): Promise<LeadfwdSettings> {
  return sugarCall<LeadfwdSettings>('update', settingsUrl(), s);
}

/** A service client carrying the user's current Sugar token; a ping lets Sugar refresh an expired one. */
export function serviceFor(serviceUrl: string): ServiceClient {
  const app = getApp();
  return createServiceClient({
    baseUrl: serviceUrl,
    getToken: () => app.api.getOAuthToken(),
    refreshToken: () => sugarCall('read', app.api.buildURL('ping')).then(() => undefined),
  });
}

export async function connect(): Promise<ServiceClient> {
  const s = await loadSettings();
  return serviceFor(s.service_url);
}
