// Where LeadFWD's pages live in Sugar: Sidecar layouts under Home (a route of a legacy module would be bwcRedirect-ed
// on Sugar 8, sugar-platform.md §13). A page's subject (a campaign, an automation) travels in the route's query, which
// Backbone's router hands to the layout route (:module/layout/:layout) as its last argument. Every layout of the
// LeadFWD area shows the same view, which reads the layout's name from the route to know which page it is.
export const CAMPAIGNS_LAYOUT = 'leadfwd-campaigns';
export const REPORT_LAYOUT = 'leadfwd-campaign-report';
export const AUTOMATIONS_LAYOUT = 'leadfwd-automations';
export const AUTOMATION_LAYOUT = 'leadfwd-automation';
export type AreaLayout = typeof CAMPAIGNS_LAYOUT | typeof REPORT_LAYOUT | typeof AUTOMATIONS_LAYOUT | typeof AUTOMATION_LAYOUT;
const LAYOUTS: readonly string[] = [CAMPAIGNS_LAYOUT, REPORT_LAYOUT, AUTOMATIONS_LAYOUT, AUTOMATION_LAYOUT];

/** Its own layout and view, beside the area's (issue 16): deliverability per sender identity and mailbox provider. */
export const DELIVERABILITY_LAYOUT = 'leadfwd-deliverability';

export const reportHref = (campaignId: string) => `#Home/layout/${REPORT_LAYOUT}?campaign=${encodeURIComponent(campaignId)}`;
/** The builder: an automation to edit, or none for a new one. */
export const automationHref = (automationId?: string) =>
  `#Home/layout/${AUTOMATION_LAYOUT}${automationId ? `?automation=${encodeURIComponent(automationId)}` : ''}`;

/** A value of the route's query ("?campaign=…"), or undefined. */
export function routeQuery(key: string, hash: string = location.hash): string | undefined {
  const q = hash.split('?')[1];
  return q ? (new URLSearchParams(q).get(key) ?? undefined) : undefined;
}

/** The campaign a report page was opened for (from the route's query), or undefined. */
export const campaignFromRoute = (hash: string = location.hash) => routeQuery('campaign', hash);

/** Which page of the LeadFWD area the route shows (the campaign list when it names none of them). */
export function layoutFromRoute(hash: string = location.hash): AreaLayout {
  const name = /\/layout\/([^/?]+)/.exec(hash.split('?')[0])?.[1] ?? '';
  return (LAYOUTS.includes(name) ? name : CAMPAIGNS_LAYOUT) as AreaLayout;
}
