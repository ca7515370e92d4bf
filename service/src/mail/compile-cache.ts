// Each campaign is compiled once per process (MJML on its thread, links found, Liquid parsed) and shared by the
// send loop, the send threads' hand-off and the write-back's tracker list. The links a compile finds are saved
// (`saveLinks`) so a click token's link index always resolves to the same URL; a failed compile is forgotten so
// the next use tries again.
import type { Campaign } from '../domain/types.js';
import type { CompiledCampaign } from './message.js';
import { compileCampaign } from './template.js';

export type CompiledFor = (c: Campaign) => Promise<CompiledCampaign>;

export function createCompileCache(o: { saveLinks: (campaignId: string, links: string[]) => void; compile?: typeof compileCampaign }): CompiledFor {
  const compile = o.compile ?? compileCampaign;
  const cache = new Map<string, Promise<CompiledCampaign>>();
  return (c) => {
    let p = cache.get(c.id);
    if (!p) {
      p = compile({ campaignId: c.id, subject: c.subject, fromName: c.fromName, fromEmail: c.fromEmail, replyTo: c.replyTo, mjml: c.mjml, html: c.html });
      p.then(
        (cc) => o.saveLinks(c.id, cc.links),
        () => cache.delete(c.id),
      );
      cache.set(c.id, p);
    }
    return p;
  };
}
