import { describe, expect, it } from 'vitest';
import { baseFieldsNamed, mergedFields } from '../../service/src/domain/merge-fields.js';

describe('the fields a message merges', () => {
  it('finds the base fields its tags name, in outputs, filters, conditions and links, not in strings or text', () => {
    expect(baseFieldsNamed('Dear {{ first_name }} {{last_name|upcase}}')).toEqual(['first_name', 'last_name']);
    expect(baseFieldsNamed('{% if title == "CTO" %}x{% elsif name != blank %}y{% endif %}')).toEqual(['title', 'name']);
    expect(baseFieldsNamed('<a href="https://x.test/?a={{ account_name | url_encode }}">x</a>')).toEqual(['account_name']);
    expect(baseFieldsNamed('{{ first_name | default: "title" }} {{ x | default: \'salutation\' }}')).toEqual(['first_name']);
    expect(baseFieldsNamed('{{ first_name | default: "[friend]" }}')).toEqual(['first_name']);
    expect(baseFieldsNamed('The title and name of the page, {{ __lf.pixel }} {{ __lf.s[3] }}')).toEqual([]);
  });

  it('takes a lookup by a computed name as naming every base field (Liquid reads any variable so)', () => {
    for (const t of ['{{ ["title"] }}', '{% assign k = "ti" | append: "tle" %}{{ [k] }}', '{{ [ k ] | upcase }}'])
      expect(baseFieldsNamed(t).sort(), t).toEqual(['account_name', 'first_name', 'full_name', 'last_name', 'name', 'salutation', 'title']);
  });

  it('adds the custom fields, once each, from the subject and the content', () => {
    expect(mergedFields({ subject: 'Hi {{ first_name }}', html: '<p>{{ title }} {{ first_name }}</p>', customFields: ['industry_c'] })).toEqual([
      'industry_c',
      'first_name',
      'title',
    ]);
    expect(mergedFields({ mjml: '<mj-text>{{ salutation }}</mj-text>' })).toEqual(['salutation']);
  });
});
