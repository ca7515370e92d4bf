// What LeadFWD's own Module Loader package adds to a Sugar instance, as seen over REST: GET /leadfwd/config
// (sugar-module/custom/clients/base/api/LeadfwdConfigApi.php). The settings live in Sugar's config table,
// category "leadfwd", keyed as retrieveSettings() returns them. Saving goes through the real PHP endpoint in
// the Sidecar harness, which writes into this same object.
export type LeadfwdSettings = Record<string, string>;

const SCOPES = ['all', 'address', 'none'];

/** readConfig()'s answer: a scope no administrator chose (or an unknown one) reads as null. */
export function leadfwdConfigBody(s: LeadfwdSettings): { service_url: string; optout_scope: string | null } {
  const scope = s.leadfwd_optout_scope;
  return { service_url: s.leadfwd_service_url ?? '', optout_scope: scope !== undefined && SCOPES.includes(scope) ? scope : null };
}
