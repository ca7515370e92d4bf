// Where LeadFWD's pages live in Sugar: Sidecar layouts under Home (a route of a legacy module would be bwcRedirect-ed
// on Sugar 8, sugar-platform.md §13). The campaign's id travels in the route's query, which Backbone's router hands
// to the layout route (:module/layout/:layout) as its last argument. The full pages are built by issue 13 part 2;
// the dashlet and the send flow link here.
export const CAMPAIGNS_LAYOUT = 'leadfwd-campaigns';
export const REPORT_LAYOUT = 'leadfwd-campaign-report';

export const campaignsHref = () => `#Home/layout/${CAMPAIGNS_LAYOUT}`;
export const reportHref = (campaignId: string) => `#Home/layout/${REPORT_LAYOUT}?campaign=${encodeURIComponent(campaignId)}`;

/** The campaign a report page was opened for (from the route's query), or undefined. */
export function campaignFromRoute(hash: string = location.hash): string | undefined {
  const q = hash.split('?')[1];
  return q ? (new URLSearchParams(q).get('campaign') ?? undefined) : undefined;
}
