// Each campaign is compiled once per process (MJML on its thread, links found, Liquid parsed) and shared by the
// send loop, the send threads' hand-off and the write-back's tracker list. The links a compile finds are saved
// (`saveLinks`) before the compiled campaign is handed out, so no message carries a link index the database does not
// hold yet: a click always finds its URL, and a tracking process, which holds a campaign's rows only once its links
// are saved (store/tracked-links.ts), holds every campaign with mail out. A failed compile or save is forgotten so
// the next use tries again.
import type { Campaign } from '../domain/types.js';
import type { CompiledCampaign } from './message.js';
import { compileCampaign } from './template.js';

export type CompiledFor = (c: Campaign) => Promise<CompiledCampaign>;

export function createCompileCache(o: { saveLinks: (campaignId: string, links: string[]) => unknown; compile?: typeof compileCampaign }): CompiledFor {
  const compile = o.compile ?? compileCampaign;
  const cache = new Map<string, Promise<CompiledCampaign>>();
  return (c) => {
    let p = cache.get(c.id);
    if (!p) {
      p = compile({ campaignId: c.id, subject: c.subject, fromName: c.fromName, fromEmail: c.fromEmail, replyTo: c.replyTo, mjml: c.mjml, html: c.html }).then(
        async (cc) => {
          await o.saveLinks(c.id, cc.links);
          return cc;
        },
      );
      p.catch(() => cache.delete(c.id));
      cache.set(c.id, p);
    }
    return p;
  };
}
