// The automation engine: enrols targets and, on each tick, moves every due target through its steps.
// A target's sends (ledger rows in the step's own campaign) and its new position commit together, and a
// (target, step) pair is passed once (a unique key), so a crash or restart never sends a step twice.
// Each email step is backed by an internal campaign, so delivery, tracking, report and write-back are the
// campaign engine's own: the send worker claims the ledger rows, the write-back gives each its Sugar Campaign.
// Several processes tick at once on one PostgreSQL: each batch claims its due enrolments in its transaction (rows
// another process's batch holds are skipped), so no enrolment is moved by two of them.
import { addressKey } from '../domain/address.js';
import type { EmailContent } from '../domain/automation.js';
import { advance, type Engagement } from '../domain/automation-steps.js';
import type { Campaign, Target } from '../domain/types.js';
import type { Enrolment, StoredAutomation, StorePart, UnitOfWork } from '../ports/index.js';
import type { Log } from '../ports/log.js';

/** A tick's part of the store: enrolments move, step campaigns fill their ledgers, in one transaction a batch. */
export type EngineStore = UnitOfWork &
  StorePart<{
    automations:
      | 'get'
      | 'due'
      | 'enrol'
      | 'leave'
      | 'leaveSuppressed'
      | 'linkLedgerRow'
      | 'markSent'
      | 'saveProgress'
      | 'sends'
      | 'stepCampaigns'
      | 'setStepCampaign'
      | 'replaceStepCampaign';
    campaigns: 'create' | 'get' | 'transition';
    recipients: 'insertMany';
    engagement: 'forRecipient';
    suppressions: 'filterSuppressed';
  }>;

export interface EngineDeps {
  store: EngineStore;
  /** The write-back's campaignStarted: the step's Sugar Campaign is created the first time the step sends. */
  campaignStarted?: (c: Campaign) => unknown;
  /** Wakes the campaign scheduler so new ledger rows go out without waiting for its next tick. */
  kick?: () => unknown;
  now?: () => Date;
  /** Targets advanced per transaction. */
  batchSize?: number;
  logger?: Pick<Log, 'info' | 'warn' | 'error'>;
}

/** `trackingConsent` defaults to true, as extraction does when no consent field is configured. */
export type EnrolTarget = Omit<Target, 'trackingConsent' | 'fields' | 'listId'> & {
  listId?: string;
  fields?: Record<string, string>;
  trackingConsent?: boolean;
};

/** Thrown to undo a step campaign another process set first. */
const STEP_TAKEN = Symbol('step campaign set by another process');

const NO_ENGAGEMENT: Engagement = { opened: false, clicked: false };

/** What one transaction of a tick shares: campaigns it started, and each step's campaign once checked. */
interface Batch {
  started: Campaign[];
  stepCampaigns: Map<string, string>;
}

const CONTENT_FIELDS = ['subject', 'fromName', 'fromEmail', 'replyTo', 'mjml', 'html', 'senderIdentityId'] as const;
const sameContent = (c: Campaign, email: EmailContent) => CONTENT_FIELDS.every((f) => (c[f] ?? undefined) === (email[f] ?? undefined));

export function createAutomationEngine(deps: EngineDeps) {
  const { store } = deps;
  const now = () => (deps.now ? deps.now() : new Date());
  const batchSize = deps.batchSize ?? 500;

  async function stepCampaign(tx: EngineStore, a: StoredAutomation, key: string, email: EmailContent, batch: Batch): Promise<string> {
    // Read and compared once per batch, not once per target passing the step.
    const memo = `${a.id}\n${key}`;
    const checked = batch.stepCampaigns.get(memo);
    if (checked) return checked;
    const id = await currentStepCampaign(tx, a, key, email, batch.started);
    batch.stepCampaigns.set(memo, id);
    return id;
  }

  /**
   * Step campaigns are created lazily, straight into 'sending': there is no extraction, the engine fills the ledger.
   * An edit that changed a step's email gets a campaign (and Sugar Campaign) of its own; the old one finishes
   * what it holds, and nobody who passed the step is sent it again (that is keyed by step, not campaign).
   */
  async function currentStepCampaign(tx: EngineStore, a: StoredAutomation, key: string, email: EmailContent, started: Campaign[]): Promise<string> {
    const known = (await tx.automations.stepCampaigns(a.id)).get(key);
    const current = known ? await tx.campaigns.get(known) : undefined;
    if (known && current && sameContent(current, email)) return known;
    // Another process's batch may create (or, after an edit, replace) the step's campaign at the same moment: the
    // first one set stays, and this one's is undone (a savepoint), its targets going to that one.
    const created = await tx
      .transaction(async (inner) => {
        const id = await createStepCampaign(inner, a, key, email, known);
        const set = known ? await inner.automations.replaceStepCampaign(a.id, key, known, id) : await inner.automations.setStepCampaign(a.id, key, id);
        if (!set) throw STEP_TAKEN;
        return id;
      })
      .catch((err: unknown) => {
        if (err === STEP_TAKEN) return undefined;
        throw err;
      });
    if (!created) {
      const winner = (await tx.automations.stepCampaigns(a.id)).get(key);
      if (!winner) throw new Error(`automation ${a.id} step ${key} has no campaign although another process set one`);
      return winner;
    }
    started.push((await tx.campaigns.get(created))!);
    return created;
  }

  async function createStepCampaign(tx: Pick<EngineStore, 'campaigns'>, a: StoredAutomation, key: string, email: EmailContent, known: string | undefined) {
    const edited = known ? ` (edited ${now().toISOString().slice(0, 16).replace('T', ' ')} UTC)` : '';
    const c = await tx.campaigns.create({
      name: `${`${a.name} – ${email.name}`.slice(0, 200 - edited.length)}${edited}`,
      subject: email.subject,
      fromName: email.fromName,
      fromEmail: email.fromEmail,
      replyTo: email.replyTo,
      mjml: email.mjml,
      html: email.html,
      ...(email.senderIdentityId ? { senderIdentityId: email.senderIdentityId } : {}),
      targetListIds: a.targetListIds,
      leadfwdListIds: [],
      customFields: [],
      sendAt: now().toISOString(),
      createdBy: a.createdBy,
    });
    await tx.campaigns.transition(c.id, ['draft'], 'extracting', `automation ${a.id} step ${key}`);
    await tx.campaigns.transition(c.id, ['extracting'], 'pending', 'filled by the automation engine');
    await tx.campaigns.transition(c.id, ['pending'], 'sending', 'first target reached the step');
    return c.id;
  }

  async function engagementOf(tx: EngineStore, rowId: number | undefined): Promise<Engagement> {
    if (rowId === undefined) return NO_ENGAGEMENT;
    const counters = await tx.engagement.forRecipient(rowId);
    return { opened: counters.some((c) => c.kind === 'open' && c.humanHits > 0), clicked: counters.some((c) => c.kind === 'click' && c.humanHits > 0) };
  }

  async function advanceOne(tx: EngineStore, e: Enrolment, a: StoredAutomation, at: Date, batch: Batch): Promise<number> {
    const sends = await tx.automations.sends(e.id);
    // The program is pure and synchronous: the engagement it may ask about (steps already sent) is read first.
    const engagement = new Map<string, Engagement>();
    for (const [k, rowId] of sends) engagement.set(k, await engagementOf(tx, rowId));
    const r = advance(a.program, e.position, {
      now: at,
      passed: (k) => sends.has(k),
      engagement: (k) => engagement.get(k) ?? NO_ENGAGEMENT,
      targetKey: e.target.addressKey,
      splitWinner: (key) => a.splitWinners?.[key],
    });
    let queued = 0;
    for (const s of r.sends) {
      if (!(await tx.automations.markSent(e.id, s.key))) continue;
      const campaignId = await stepCampaign(tx, a, s.key, s.email, batch);
      queued += await tx.recipients.insertMany(campaignId, [e.target]);
      await tx.automations.linkLedgerRow(e.id, s.key, campaignId, e.target.addressKey);
    }
    await tx.automations.saveProgress(e.id, r.position, r.done ? null : r.wakeAt!);
    return queued;
  }

  /**
   * Moves due targets, at most `maxBatches` batches (the runner passes 1 and yields between batches so HTTP
   * and tracking stay responsive); `more` says due targets remain.
   */
  async function tick(opts: { maxBatches?: number } = {}): Promise<{ advanced: number; queued: number; left: number; more: boolean }> {
    const totals = { advanced: 0, queued: 0, left: await store.automations.leaveSuppressed(), more: false };
    for (let batches = 0; ; batches++) {
      if (batches >= (opts.maxBatches ?? Infinity)) {
        totals.more = true;
        break;
      }
      const at = now();
      // A look first, so an idle tick opens no write transaction (SQLite's write lock, every second).
      if ((await store.automations.due(at.toISOString(), 1)).length === 0) break;
      const batch: Batch = { started: [], stepCampaigns: new Map() };
      const claimed = await store.transaction(async (tx) => {
        // Claimed for this transaction: another process's batch skips them until it ends.
        const due = await tx.automations.due(at.toISOString(), batchSize);
        const suppressed = await tx.suppressions.filterSuppressed(due.map((e) => e.target.addressKey));
        if (suppressed.size) totals.left += await tx.automations.leave([...suppressed], 'suppressed');
        // Each automation read once a batch, its row locked against a change of status until the batch commits: a stop
        // waits for the batches putting people on its steps, else the scheduler could finish a step campaign before
        // their rows were committed, stranding them queued in it. One that stopped first is left alone.
        const automations = new Map<string, StoredAutomation | undefined>();
        for (const e of due) {
          if (suppressed.has(e.target.addressKey)) continue;
          if (!automations.has(e.automationId)) automations.set(e.automationId, await tx.automations.get(e.automationId, { share: true }));
          const a = automations.get(e.automationId);
          if (a?.status !== 'active') continue;
          totals.queued += await advanceOne(tx, e, a, at, batch);
          totals.advanced++;
        }
        return due.length;
      });
      for (const c of batch.started) await deps.campaignStarted?.(c);
      if (claimed < batchSize) break;
    }
    if (totals.queued) deps.kick?.();
    return totals;
  }

  /** Idempotent: targets already enrolled (same module and record) are not enrolled twice. */
  async function enrol(automationId: string, targets: EnrolTarget[]): Promise<{ enrolled: number; skipped: Array<{ id: string; reason: string }> }> {
    const a = await store.automations.get(automationId);
    if (!a) throw new Error(`unknown automation ${automationId}`);
    const ready: Array<Target & { addressKey: string }> = [];
    const skipped: Array<{ id: string; reason: string }> = [];
    for (const t of targets) {
      const key = addressKey(t.email);
      if (!key) {
        skipped.push({ id: t.id, reason: 'invalid_email' });
        continue;
      }
      ready.push({
        module: t.module,
        id: t.id,
        listId: t.listId ?? 'api',
        email: t.email,
        emailAddressId: t.emailAddressId,
        fields: t.fields ?? {},
        trackingConsent: t.trackingConsent ?? true,
        addressKey: key,
      });
    }
    const suppressed = await store.suppressions.filterSuppressed(ready.map((t) => t.addressKey));
    const allowed = ready.filter((t) => {
      if (!suppressed.has(t.addressKey)) return true;
      skipped.push({ id: t.id, reason: 'suppressed' });
      return false;
    });
    const enrolled = await store.automations.enrol(a.id, allowed, a.program[0]?.key ?? null);
    return { enrolled, skipped };
  }

  return { tick, enrol };
}

export type AutomationEngine = ReturnType<typeof createAutomationEngine>;
