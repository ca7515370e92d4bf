import { describe, expect, it } from 'vitest';
import { BASE_MERGE_FIELDS, baseFieldsNamed, mergedFields } from '../../service/src/domain/merge-fields.js';
import { createSandbox, variablesRead } from '../../service/src/mail/liquid-sandbox.js';
import { compileCampaign, renderPreview } from '../../service/src/mail/template.js';

const sandbox = createSandbox('text');
const named = (t: string) => baseFieldsNamed([variablesRead(sandbox, t)]);
const ALL = [...BASE_MERGE_FIELDS].sort();

describe('the fields a message merges', () => {
  it('finds the base fields its tags name, in outputs, filters, conditions and links, not in strings or text', () => {
    expect(named('Dear {{ first_name }} {{last_name|upcase}}')).toEqual(['first_name', 'last_name']);
    expect(named('{% if title == "CTO" %}x{% elsif name != blank %}y{% endif %}')).toEqual(['title', 'name']);
    expect(named('<a href="https://x.test/?a={{ account_name | url_encode }}">x</a>')).toEqual(['account_name']);
    expect(named('{{ first_name | default: "title" }} {{ x | default: \'salutation\' }}')).toEqual(['first_name']);
    expect(named('The title and name of the page, {{ __lf.pixel }} {{ __lf.s[3] }}')).toEqual([]);
  });

  it('reads tags as the engine does: a tag ends at its first %}, a raw block is text', () => {
    for (const t of [
      '<p>{% # "%}{{ title }}{% # " %}</p>',
      '{% comment "%}{% endcomment %}{{ title }}{% comment " %}{% endcomment %}',
      '{% raw %}{{ "{% endraw %}{{ title }}{% raw %}" }}{% endraw %}',
      '{% # "%}{% if title contains "C" %}yes{% endif %}{% # " %}',
    ])
      expect(named(t), t).toEqual(['title']);
    expect(named('{% raw %}{{ title }}{% endraw %}')).toEqual([]); // shown as written, never read
  });

  it('reads strings and tag ends as Liquid does: an escaped quote stays in its string, an end inside one ends nothing', () => {
    expect(named('{{ "a\\"b" | append: title | append: "c" }}')).toEqual(['title']);
    expect(named('{% if true %}{% endif %}<p>{{ "}}" | append: title }}</p>')).toEqual(['title']);
  });

  it('takes a bracket as a lookup by a computed name, naming every base field (Liquid reads any variable so)', () => {
    for (const t of [
      '{{ ["title"] }}',
      '{% assign k = "ti" | append: "tle" %}{{ [k] }}',
      '{{ [ k ] | upcase }}',
      '{{ "a\\"b" | append: [k] }}',
      // Quotes Liquid never reads as strings (it skips to the "]"), which a reader of strings would pair.
      "<p>{{ x[0 ' ] | append: title | append: ' ] }}</p>",
      '{% if x[0 \' ] or title contains "T" or \' ] %}HAS-T{% endif %}',
      // Within a string too: when in doubt, every field.
      '{{ first_name | default: "[friend]" }}',
      // A range as the root of a lookup: the analysis drops its bounds (the length of a field showed).
      '{{ (1..title.size).last }}',
      '{% if (1..title.size).size > 3 %}LONG{% endif %}',
    ])
      expect(named(t).sort(), t).toEqual(ALL);
    expect(named('{{ __lf.s[12] }}')).toEqual([]);
  });

  it("asks the engine, not a reader of strings: a when's values are read as Liquid reads them", () => {
    expect(named("{% case \"CTO\" %}{% when 'zz' ' or title or ' %}IS-CTO{% endcase %}")).toContain('title');
  });

  it('counts a name the template assigns too: an assign in a branch not taken leaves the field read', () => {
    for (const t of [
      '{% if false %}{% assign title = "x" %}{% endif %}{{ title }}',
      '{% unless true %}{% assign title = "x" %}{% endunless %}{% if title == "CTO" %}yes{% endif %}',
      '{% if false %}{% capture title %}x{% endcapture %}{% endif %}{{ title }}',
    ])
      expect(named(t), t).toEqual(['title']);
  });

  it('adds the custom fields, once each', () => {
    expect(mergedFields(['industry_c', 'title'], { baseFieldsRead: ['title', 'first_name'] })).toEqual(['industry_c', 'title', 'first_name']);
  });

  it('is what the compiled campaign reads: MJML output and links decoded, not the source as written', async () => {
    const base = { campaignId: 'fields', subject: 'Hi', fromName: 'A', fromEmail: 'a@example.com' };
    for (const [spec, read] of [
      [{ html: '<a href="https://x.test/?t=&#123;&#123;title&#125;&#125;">l</a>' }, ['title']],
      [{ html: '<a href="https://x.test/?t={{ t&#105;tle }}">l</a>' }, ['title']],
      [
        {
          mjml: '<mjml><mj-body><mj-section><mj-column><mj-button href="https://x.test/?t=&#123;&#123;title&#125;&#125;">b</mj-button></mj-column></mj-section></mj-body></mjml>',
        },
        ['title'],
      ],
      [{ subject: 'Hi {{ first_name }}', html: '<p>x</p>' }, ['first_name']],
      [{ subject: 'Hi {% # "%}{{ title }}{% # " %}', html: '<p>x</p>' }, ['title']],
      [{ html: '<a href="https://x.test/?t={% # &quot;%}{{ title }}{% # &quot; %}">l</a>' }, ['title']],
      [{ mjml: '<mjml><mj-body><mj-section><mj-column><mj-text>{% # "%}{{ title }}{% # " %}</mj-text></mj-column></mj-section></mj-body></mjml>' }, ['title']],
      // A link the engine does not parse whole (merged piece by piece): it cannot tell, so every field.
      [{ html: '<a href="https://x.test/?t={{ title }}&u={{ oops">l</a>' }, ALL],
    ] as const) {
      const compiled = await compileCampaign({ ...base, ...spec });
      expect([...compiled.baseFieldsRead].sort(), JSON.stringify(spec)).toEqual([...read].sort());
      // What the check is for: the value would show.
      if ((read as readonly string[]).includes('title')) expect(JSON.stringify(renderPreview(compiled, { title: 'CTO' }))).toContain('CTO');
    }
  });
});
