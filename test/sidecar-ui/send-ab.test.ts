// The send flow's A/B settings without a browser: what the Content step refuses, and that what Confirm posts is what
// the service's POST /ab-tests takes (each variant names its subject; only its own content travels).
import { describe, expect, it } from 'vitest';
import { AbTestSettings } from '../../service/src/campaigns/schemas.js';
import { type AbForm, type AbVariantForm, abProblems, toAbSettings } from '../../sidecar-ui/src/send/ab-test.js';

const main = { subject: 'Spring news', content: '<p>Hi</p>', format: 'html' as const };
const ab = (over: Partial<AbForm> = {}): AbForm => ({
  variants: [
    { subject: '', content: '' },
    { subject: 'Spring news, {{ first_name }}', content: '' },
  ],
  sharePercent: '20',
  metric: 'opens',
  decideAfterHours: '4',
  ...over,
});
/** The form whose variant A is the main message as it is and variant B is `b`. */
const withB = (b: AbVariantForm) => ab({ variants: [{ subject: '', content: '' }, b] });
const labels = (a: AbForm) => abProblems(a, main).map((p) => p.label);

describe('the send flow A/B settings', () => {
  it('takes two variants of the subject and posts what the service accepts', () => {
    expect(abProblems(ab(), main)).toEqual([]);
    const settings = toAbSettings(ab({ metric: 'clicks', sharePercent: '50', decideAfterHours: '24' }), main);
    expect(settings).toEqual({
      variants: [{ subject: 'Spring news' }, { subject: 'Spring news, {{ first_name }}' }],
      testShare: 0.5,
      metric: 'clicks',
      decideAfterHours: 24,
    });
    expect(AbTestSettings.safeParse(settings).success).toBe(true);
    const own = toAbSettings(withB({ subject: '', content: '<p>Other</p>' }), main);
    expect(own.variants).toEqual([{ subject: 'Spring news' }, { subject: 'Spring news', html: '<p>Other</p>' }]);
    expect(AbTestSettings.safeParse(own).success).toBe(true);
  });

  it('refuses variants that are the same, the wrong count, a share or hours out of range, content in the other format', () => {
    const refused: Array<[AbForm, string]> = [
      [withB({ subject: 'Spring news', content: '' }), 'LBL_LEADFWD_AB_ERR_SAME'],
      [ab({ variants: [{ subject: 'x', content: '' }] }), 'LBL_LEADFWD_AB_ERR_COUNT'],
      [ab({ sharePercent: '95' }), 'LBL_LEADFWD_AB_ERR_SHARE'],
      [ab({ sharePercent: '' }), 'LBL_LEADFWD_AB_ERR_SHARE'],
      [ab({ decideAfterHours: '0' }), 'LBL_LEADFWD_AB_ERR_HOURS'],
      [withB({ subject: '', content: '<mjml><mj-body></mj-body></mjml>' }), 'LBL_LEADFWD_AB_ERR_FORMAT'],
    ];
    for (const [form, label] of refused) expect(labels(form), label).toEqual([label]);
    expect(abProblems(undefined, main)).toEqual([]);
  });
});
