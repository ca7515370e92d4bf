// Sends fixture reports to the real inbound listener over SMTP, as a remote MTA would.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer from 'nodemailer';

const FIXTURES = join(import.meta.dirname, '../fixtures/dsn');

export function fixture(name: string, v: { verp: string; rcpt: string; messageId: string; subject?: string }): string {
  return readFileSync(join(FIXTURES, name), 'utf8')
    .replaceAll('{{VERP}}', v.verp)
    .replaceAll('{{RCPT}}', v.rcpt)
    .replaceAll('{{MESSAGE_ID}}', v.messageId)
    .replaceAll('{{SUBJECT}}', v.subject ?? 'Spring news');
}

export async function deliver(port: number, to: string[], raw: string | Buffer, from = ''): Promise<{ ok: boolean; code?: number; response?: string }> {
  const t = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, connectionTimeout: 5000 });
  try {
    await t.sendMail({ envelope: { from, to }, raw });
    return { ok: true };
  } catch (e) {
    const err = e as { responseCode?: number; response?: string };
    return { ok: false, code: err.responseCode, response: err.response };
  } finally {
    t.close();
  }
}
