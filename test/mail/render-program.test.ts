import { describe, expect, it } from 'vitest';
import { createSandbox, parseTemplate, renderSync, SafeHtml } from '../../service/src/mail/liquid-sandbox.js';
import { compileProgram, type Internals } from '../../service/src/mail/render-program.js';
import { qpDecode } from './helpers.js';

const sandboxes = { html: createSandbox('html'), text: createSandbox('text') };
const lf: Internals = { s: ['https://t.example/c?a=1&b=2', '#x'], pixel: new SafeHtml('<img src="p">'), footer: new SafeHtml('<div>f</div>') };
const fieldSets: Array<Record<string, unknown>> = [
  { first_name: 'Ann', account_name: 'A & B <Co>', industry_c: 'O\'Neil "quoted"' },
  { first_name: '', account_name: null, industry_c: undefined },
  { first_name: 'Zoë 日本', n: 42, flag: false, t: true },
  {},
];
const templates = [
  'Hello {{ first_name }}!',
  '{{first_name|default:"there"}} / {{ account_name | default: \'none\' }} / {{ industry_c }}',
  '<a href="{{ __lf.s[0] }}">x</a><a href="{{ __lf.s[1] }}">y</a>{{ __lf.s[9] }}',
  '<body>{{ __lf.pixel | lf_raw }}<p>{{ first_name | upcase }}</p>{{ __lf.footer | lf_raw }}</body>',
  '{{ n }} {{ flag }} {{ t }} {{ flag | default: "d" }} {{ missing | default: "m" }}',
  '{{ empty }}{{ nil }}{{ blank }}|{{ first_name | truncate: 3 }}',
  '{{ __lf.footer }}', // without lf_raw our HTML is escaped like any value
  '{% if first_name != "" %}Hi {{ first_name }}{% else %}Hello{% endif %}',
  '{{- first_name -}}  x',
  'plain text, no tags = at all\nsecond line  with  blanks \t',
  '<p>{{ "}}" | append: first_name }}</p> {{ "a\\"b" | append: account_name }}', // an end or a quote inside a string
  '{{ first_name | default: "a\\\\b" }}|{{ n | default: "line\\nbreak" }}', // escapes in a default: Liquid's reading
];

describe('compileProgram', () => {
  for (const context of ['html', 'text'] as const) {
    for (const source of templates) {
      it(`matches the Liquid engine in ${context} context for ${JSON.stringify(source).slice(0, 60)}`, () => {
        const sandbox = sandboxes[context];
        const { program, problem } = compileProgram(source, sandbox, context === 'html', 'test');
        expect(problem).toBeUndefined();
        const tpl = parseTemplate(sandbox, source, 'test').tpl!;
        for (const fields of fieldSets) {
          const expected = renderSync(sandbox, tpl, { ...fields, __lf: lf });
          expect(program!.render(fields, lf)).toBe(expected);
          expect(qpDecode(program!.renderQp(fields, lf))).toBe(expected.replace(/\r\n/g, '\n'));
        }
      });
    }
  }

  it('reports a parse problem instead of throwing', () => {
    const { program, problem } = compileProgram('{{ oops ', sandboxes.html, true, 'html');
    expect(program).toBeUndefined();
    expect(problem?.message).toMatch(/^html: /);
  });
});
