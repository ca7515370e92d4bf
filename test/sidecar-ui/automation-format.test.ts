// The dashlet's automation numbers without a browser: one row per reported step, wait lengths and windows.
import { describe, expect, it } from 'vitest';
import { automationStatusLabel, formatWaitSeconds, formatWindow, stepRows } from '../../sidecar-ui/src/shared/automation-format.js';

describe('automation step rows', () => {
  it('turns email and wait steps into rows with people-only engagement and final SMTP outcomes as sent', () => {
    expect(
      stepRows([
        {
          key: 's0',
          type: 'send_email',
          name: 'Welcome',
          subject: 'Hi',
          waiting: 1,
          passed: 5,
          campaignId: 'c1',
          delivery: { accepted: 3, failed: 1, uncertain: 0, queued: 1 },
          engagement: { opened: 2, clicked: 1, machineOnlyOpens: 4 },
        },
        { key: 'w1', type: 'wait', waiting: 4, seconds: 172_800 },
        { key: 'w2', type: 'wait', waiting: 0, window: { weekdays: ['mon', 'tue'], from: '09:00', to: '17:00', timeZone: 'Europe/Berlin' } },
        { key: 's3', type: 'send_email', name: '', subject: 'Later', waiting: 0, passed: 0, campaignId: null, delivery: null, engagement: null },
      ]),
    ).toEqual([
      { key: 's0', kind: 'email', title: 'Welcome', waiting: 1, passed: 5, sent: 4, opened: 2, clicked: 1 },
      { key: 'w1', kind: 'wait', title: '2 d', waiting: 4, passed: 0, sent: 0, opened: 0, clicked: 0 },
      { key: 'w2', kind: 'wait', title: 'mon, tue 09:00–17:00 Europe/Berlin', waiting: 0, passed: 0, sent: 0, opened: 0, clicked: 0 },
      { key: 's3', kind: 'email', title: 'Later', waiting: 0, passed: 0, sent: 0, opened: 0, clicked: 0 },
    ]);
  });

  it('reads missing or malformed counts as zero and no steps as no rows', () => {
    expect(stepRows(undefined)).toEqual([]);
    expect(stepRows([{ key: 'w', type: 'wait', waiting: Number.NaN }])).toEqual([
      { key: 'w', kind: 'wait', title: '0 s', waiting: 0, passed: 0, sent: 0, opened: 0, clicked: 0 },
    ]);
  });

  it('writes wait lengths in the two largest whole units', () => {
    expect(formatWaitSeconds(30)).toBe('30 s');
    expect(formatWaitSeconds(1_800)).toBe('30 min');
    expect(formatWaitSeconds(90_000)).toBe('1 d 1 h');
    expect(formatWaitSeconds(86_400 + 60)).toBe('1 d');
    expect(formatWaitSeconds(7_776_000)).toBe('90 d');
    expect(formatWaitSeconds(-5)).toBe('0 s');
    expect(formatWindow({ weekdays: [], from: '08:00', to: '10:00', timeZone: 'UTC' })).toBe('08:00–10:00 UTC');
  });

  it('maps each status to its own label and an unknown one to a defined label', () => {
    expect(['active', 'paused', 'stopped', 'odd'].map(automationStatusLabel)).toEqual([
      'LBL_LEADFWD_AUTOMATION_ACTIVE',
      'LBL_LEADFWD_AUTOMATION_PAUSED',
      'LBL_LEADFWD_AUTOMATION_STOPPED',
      'LBL_LEADFWD_AUTOMATION_ACTIVE',
    ]);
  });
});
