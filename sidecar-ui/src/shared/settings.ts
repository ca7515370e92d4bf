// LeadFWD settings live in Sugar (custom endpoint leadfwd/config, see LeadfwdConfigApi.php): the service URL
// every user needs and the write-back options only admins change. No secret is stored there.
import { getApp, sugarCall } from './app.js';
import { createServiceClient, type ServiceClient } from './service-client.js';

/**
 * optout_scope mirrors the service's LEADFWD_OPT_OUT_SCOPE: all of the target's addresses, the one address, or none;
 * '' leaves it to the service (Sugar answers null until an administrator chooses).
 */
export type OptOutScopeSetting = 'all' | 'address' | 'none' | '';
export interface LeadfwdSettings { service_url: string; optout_scope: OptOutScopeSetting }

export const optOutScopeSetting = (v: unknown): OptOutScopeSetting => (v === 'all' || v === 'address' || v === 'none' ? v : '');

export const settingsUrl = () => getApp().api.buildURL('leadfwd', 'config');

export async function loadSettings(): Promise<LeadfwdSettings> {
  const s = await sugarCall<Partial<LeadfwdSettings>>('read', settingsUrl());
  return {
    service_url: typeof s?.service_url === 'string' ? s.service_url : '',
    optout_scope: optOutScopeSetting(s?.optout_scope),
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
