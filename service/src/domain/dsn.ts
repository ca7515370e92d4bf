// Field parsers for the machine-readable parts of bounce and complaint reports: RFC 3464
// delivery-status (per-message block, then one block per recipient) and RFC 5965 feedback-report.
// Pure and defensive: reports come from strangers, so every size is capped and garbage yields
// empty results, never an exception.

export interface DsnRecipient {
  finalRecipient?: string;
  originalRecipient?: string;
  action?: string;
  status?: string;
  diagnosticCode?: string;
  remoteMta?: string;
}

export interface DeliveryStatus {
  reportingMta?: string;
  originalEnvelopeId?: string;
  recipients: DsnRecipient[];
}

export interface FeedbackReport {
  feedbackType?: string;
  userAgent?: string;
  version?: string;
  originalRcptTo?: string;
  originalMailFrom?: string;
  sourceIp?: string;
  arrivalDate?: string;
}

const MAX_TEXT = 256 * 1024;
const MAX_BLOCKS = 101; // per-message block plus 100 recipients
const MAX_FIELDS = 200;
const MAX_VALUE = 2000;

export type FieldBlock = Map<string, string>;

/** Splits "Name: value" blocks separated by blank lines; folded lines are joined, first field wins. */
export function parseFieldBlocks(text: string): FieldBlock[] {
  if (typeof text !== 'string') return [];
  const lines = text.slice(0, MAX_TEXT).replace(/\r\n?/g, '\n').split('\n');
  const blocks: FieldBlock[] = [];
  let current: FieldBlock | null = null;
  let last: string | null = null;
  for (const line of lines) {
    if (line.trim() === '') {
      if (current?.size) blocks.push(current);
      if (blocks.length >= MAX_BLOCKS) return blocks;
      current = null;
      last = null;
      continue;
    }
    if (/^[ \t]/.test(line)) {
      if (current && last && current.get(last) !== undefined) {
        current.set(last, (current.get(last)! + ' ' + line.trim()).slice(0, MAX_VALUE));
      }
      continue;
    }
    const m = /^([!-9;-~]{1,76}):[ \t]*(.*)$/.exec(line);
    if (!m) {
      last = null;
      continue;
    } // garbage line: skip it, keep reading
    current ??= new Map();
    if (current.size >= MAX_FIELDS) continue;
    const name = m[1].toLowerCase();
    last = name;
    if (!current.has(name)) current.set(name, m[2].trim().slice(0, MAX_VALUE));
    else last = null; // a repeated field keeps its first value
  }
  if (current?.size) blocks.push(current);
  return blocks.slice(0, MAX_BLOCKS);
}

/** Drops the RFC 3464 type prefix: "rfc822; a@b" → "a@b", "smtp; 550 ..." → "550 ...". */
export function typedValue(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const semi = value.indexOf(';');
  const v = (semi >= 0 && semi < 20 ? value.slice(semi + 1) : value).trim();
  return v.replace(/^<(.*)>$/, '$1') || undefined;
}

const RECIPIENT_FIELDS = ['final-recipient', 'original-recipient', 'action', 'status'];

export function parseDeliveryStatus(text: string): DeliveryStatus {
  const blocks = parseFieldBlocks(text);
  const out: DeliveryStatus = { recipients: [] };
  const perMessage = blocks[0] && !RECIPIENT_FIELDS.some((f) => blocks[0].has(f)) ? blocks.shift() : undefined;
  if (perMessage) {
    out.reportingMta = typedValue(perMessage.get('reporting-mta'));
    out.originalEnvelopeId = perMessage.get('original-envelope-id')?.trim() || undefined;
  }
  for (const b of blocks) {
    if (!RECIPIENT_FIELDS.some((f) => b.has(f))) continue;
    out.recipients.push({
      finalRecipient: typedValue(b.get('final-recipient')),
      originalRecipient: typedValue(b.get('original-recipient')),
      action: b.get('action')?.trim().toLowerCase() || undefined,
      status: b.get('status')?.trim() || undefined,
      diagnosticCode: typedValue(b.get('diagnostic-code')),
      remoteMta: typedValue(b.get('remote-mta')),
    });
  }
  return out;
}

export function parseFeedbackReport(text: string): FeedbackReport {
  const b = parseFieldBlocks(text)[0] ?? new Map<string, string>();
  const get = (name: string) => b.get(name)?.trim() || undefined;
  return {
    feedbackType: get('feedback-type')?.toLowerCase(),
    userAgent: get('user-agent'),
    version: get('version'),
    originalRcptTo: typedValue(get('original-rcpt-to')),
    originalMailFrom: typedValue(get('original-mail-from')),
    sourceIp: get('source-ip'),
    arrivalDate: get('arrival-date') ?? get('received-date'),
  };
}

/** Every <id> in a Message-ID / In-Reply-To / References style value, capped. */
export function messageIdsIn(value: string | undefined): string[] {
  if (typeof value !== 'string') return [];
  const ids = value.slice(0, 8000).match(/<[^<>\s]{1,250}>/g) ?? [];
  return ids.slice(0, 50);
}

// RFC 3834 plus the vacation subjects that list servers keep seeing.
const AUTO_SUBJECT = /^(auto(matic)?[ -]?(reply|response)|out of (the )?office|vacation|abwesenheit|absence|away from)/i;

export function isAutoReply(h: { autoSubmitted?: string; subject?: string; precedence?: string; xAutoreply?: string }): boolean {
  const auto = (h.autoSubmitted ?? '').trim().toLowerCase();
  if (auto && auto !== 'no') return true;
  if (h.xAutoreply) return true;
  if (/^(auto_reply|bulk|junk)$/i.test((h.precedence ?? '').trim())) return true;
  return AUTO_SUBJECT.test((h.subject ?? '').trim());
}

/** Our Message-ID shape from mail/message.ts: <lf.<campaign>.<rowId>.<random>@domain>; yields the row id. */
export function rowIdFromMessageId(id: string): number | null {
  const m = /^<lf\.[A-Za-z0-9-]{1,64}\.(\d{1,15})\.[A-Za-z0-9_-]{6,32}@[^<>\s@]{1,253}>$/.exec(id.trim());
  if (!m) return null;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) ? n : null;
}
