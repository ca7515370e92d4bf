// Send-loop tests of answers lost on the way back: a relay that accepts everything and says what it got, and a ledger
// whose hand-off mark fails once (committed or not) and leaves the database away until the test brings it back.
import type { Campaign } from '../../service/src/domain/types.js';
import { createInProcessDelivery } from '../../service/src/mail/in-process-delivery.js';
import { buildMessage } from '../../service/src/mail/message.js';
import { specOf } from '../../service/src/mail/send-threads/pool.js';
import { compileCampaign } from '../../service/src/mail/template.js';
import { StoreUnavailableError } from '../../service/src/ports/errors.js';
import type { Store } from '../../service/src/ports/index.js';
import { ctx } from '../mail/helpers.js';

/** An in-process delivery whose relay accepts each message (its final dot only once its end of DATA mark is in). */
export function acceptingDelivery(o: { onSent?: () => Promise<void> | void } = {}) {
  const sent: string[] = [];
  const delivery = createInProcessDelivery({
    transports: {
      get: () => ({
        send: async (m: unknown, dataEnd?: () => Promise<boolean>) => {
          if (dataEnd && !(await dataEnd())) return { outcome: 'retryable', text: '451 not sent: no mark' };
          sent.push(String(m));
          await o.onSent?.();
          return { outcome: 'accepted', text: '250 ok' };
        },
        verify: async () => {},
        close() {},
      }),
    } as never,
    compiled: (x: Campaign) => compileCampaign(specOf(x)),
    build: buildMessage,
    messageContext: { ...ctx },
    concurrency: 4,
  });
  return { delivery, sent };
}

/**
 * `real` whose first hand-off mark fails as the database goes away: `committed` (its answer lost) or not. Every ledger
 * call then fails until `state.down` is set false.
 */
export function markFailsOnce(real: Store, committed: boolean) {
  const state = { down: false };
  let first = true;
  const ledger = real.recipients as unknown as Record<string, (...a: unknown[]) => unknown>;
  const recipients: Record<string, unknown> = {};
  for (const p of Object.keys(ledger).concat(Object.getOwnPropertyNames(Object.getPrototypeOf(ledger))))
    if (typeof ledger[p] === 'function' && p !== 'constructor')
      recipients[p] = (...a: unknown[]) => {
        if (state.down) throw new StoreUnavailableError('PG_CONNECTION', { detail: 'down' });
        if (p !== 'markSending' || !first) return ledger[p](...a);
        first = false;
        if (committed) ledger[p](...a);
        state.down = true;
        throw new StoreUnavailableError('PG_CONNECTION', { detail: committed ? 'answer lost' : 'down' });
      };
  const store = new Proxy({} as Store, { get: (_t, p) => (p === 'recipients' ? recipients : Reflect.get(real, p)) });
  return { store, state };
}
