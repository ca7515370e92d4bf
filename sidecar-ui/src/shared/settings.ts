// LeadFWD settings live in Sugar (the package's endpoints, LeadfwdConfigApi.php): the service address, the opt-out
// scope and whether Sugar is paired with the service. The relay secret never leaves Sugar's server.
import { getApp, sugarCall } from './app.js';
import { createServiceClient, type Envelope, type ServiceClient, unwrap } from './service-client.js';

/**
 * optout_scope mirrors the service's LEADFWD_OPT_OUT_SCOPE: all of the target's addresses, the one address, or none;
 * '' leaves it to the service (Sugar answers null until an administrator chooses).
 */
export type OptOutScopeSetting = 'all' | 'address' | 'none' | '';
export interface LeadfwdSettings {
  service_url: string;
  optout_scope: OptOutScopeSetting;
}
export interface LeadfwdConfig extends LeadfwdSettings {
  paired: boolean;
  paired_at: string | null;
}
/** What GET <service>/relay/hello answers through "Test connection". */
export interface Hello {
  service: 'leadfwd';
  relay: number;
  paired: boolean;
}

export const optOutScopeSetting = (v: unknown): OptOutScopeSetting => (v === 'all' || v === 'address' || v === 'none' ? v : '');

const url = (action: string) => getApp().api.buildURL('leadfwd', action);

function config(s: Partial<LeadfwdConfig> | undefined): LeadfwdConfig {
  return {
    service_url: typeof s?.service_url === 'string' ? s.service_url : '',
    optout_scope: optOutScopeSetting(s?.optout_scope),
    paired: s?.paired === true,
    paired_at: typeof s?.paired_at === 'string' ? s.paired_at : null,
  };
}

export async function loadSettings(): Promise<LeadfwdConfig> {
  return config(await sugarCall<Partial<LeadfwdConfig>>('read', url('config')));
}

export async function saveSettings(s: LeadfwdSettings): Promise<LeadfwdConfig> {
  return config(await sugarCall<Partial<LeadfwdConfig>>('update', url('config'), s));
}

/** Administrators: trades the service's one-time code for the relay secret, kept by Sugar. */
export async function pairWith(serviceUrl: string, code: string): Promise<{ paired: boolean; paired_at: string }> {
  return unwrap(await sugarCall<Envelope>('create', url('pair'), { service_url: serviceUrl, code }));
}

/** Administrators: what answers at an address, asked by Sugar's server (the browser never calls it). */
export async function testConnection(serviceUrl: string): Promise<Hello> {
  return unwrap(await sugarCall<Envelope>('create', url('test'), { service_url: serviceUrl }));
}

/** The LeadFWD service as this user, through Sugar's relay. */
export function connect(): ServiceClient {
  return createServiceClient(getApp().api);
}
