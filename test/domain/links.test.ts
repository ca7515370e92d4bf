import { describe, expect, it } from 'vitest';
import { extractLinks, type LinkSlotTemplate } from '../../service/src/domain/links.js';

/** Re-joins a template, filling each slot with a marker naming its link index. */
function fill(t: LinkSlotTemplate, slot = (i: number) => `SLOT${t.slotLinkIndex[i]}`): string {
  return t.parts.reduce((acc, part, i) => acc + (i === 0 ? '' : slot(i - 1)) + part, '');
}

describe('extractLinks', () => {
  it('turns http(s) hrefs into slots and keeps everything else byte for byte', () => {
    const html = '<p>Hi <a href="https://example.com/a" class="x">A</a> and <A HREF=\'http://example.org/b\'>B</A></p>';
    const t = extractLinks(html);
    expect(t.links).toEqual(['https://example.com/a', 'http://example.org/b']);
    expect(t.slotLinkIndex).toEqual([0, 1]);
    expect(t.parts).toHaveLength(3);
    expect(fill(t)).toBe('<p>Hi <a href="SLOT0" class="x">A</a> and <A HREF="SLOT1">B</A></p>');
  });

  it('leaves UTM parameters and fragments untouched', () => {
    const url = 'https://shop.example.com/p?id=7&utm_source=leadfwd&utm_medium=email&utm_campaign=Q4#top';
    const t = extractLinks(`<a href="${url.replace(/&/g, '&amp;')}">x</a>`);
    expect(t.links).toEqual([url]);
  });

  it.each<[string, string, string]>([
    ['&amp;', 'https://e.com/?a=1&amp;b=2', 'https://e.com/?a=1&b=2'],
    ['numeric', 'https://e.com/?a=1&#38;b=2', 'https://e.com/?a=1&b=2'],
    ['hex', 'https://e.com/?a=1&#x26;b=2', 'https://e.com/?a=1&b=2'],
    ['unterminated stays literal', 'https://e.com/?a=1&copy=2', 'https://e.com/?a=1&copy=2'],
    ['surrounding spaces', '  https://e.com/x  ', 'https://e.com/x'],
  ])('decodes entities in hrefs: %s', (_name, raw, expected) => {
    expect(extractLinks(`<a href="${raw}">x</a>`).links).toEqual([expected]);
  });

  it('gives duplicate links one index but one slot per occurrence', () => {
    const t = extractLinks('<a href="https://e.com/">1</a><a href="https://e.com/x">2</a><a href="https://e.com/">3</a>');
    expect(t.links).toEqual(['https://e.com/', 'https://e.com/x']);
    expect(t.slotLinkIndex).toEqual([0, 1, 0]);
  });

  it.each<[string, string]>([
    ['mailto', '<a href="mailto:sales@example.com">mail</a>'],
    ['tel', '<a href="tel:+4912345">call</a>'],
    ['anchor', '<a href="#section">jump</a>'],
    ['stylesheet link', '<link href="https://fonts.example.com/css" rel="stylesheet">'],
    ['image src', '<img src="https://cdn.example.com/a.png">'],
    ['comment', '<!-- <a href="https://e.com/hidden">x</a> -->'],
    ['Outlook conditional', '<!--[if mso]><v:roundrect href="https://e.com/vml"></v:roundrect><![endif]-->'],
    ['script body', '<script>var s = \'<a href="https://e.com/js">\';</script>'],
    ['style body', '<style>a[href="https://e.com/css"] { color: red }</style>'],
  ])('does not track %s', (_name, html) => {
    const t = extractLinks(html);
    expect(t.links).toEqual([]);
    expect(t.parts).toEqual([html]);
  });

  it('skips links marked data-leadfwd-notrack and strips the marker', () => {
    const t = extractLinks('<a data-leadfwd-notrack href="https://e.com/private">x</a>');
    expect(t.links).toEqual([]);
    expect(t.parts.join('')).toBe('<a  href="https://e.com/private">x</a>');
  });

  it('makes merge-tag hrefs untracked slots so they can be URL-encoded per recipient', () => {
    const t = extractLinks('<a href="{{website}}">site</a><a href="https://e.com/?id={{ id }}">me</a>');
    expect(t.links).toEqual([]);
    expect(t.slotLinkIndex).toEqual([-1, -1]);
    expect(t.slotHrefs).toEqual(['{{website}}', 'https://e.com/?id={{ id }}']);
  });

  it('neutralises javascript: and data: hrefs', () => {
    const t = extractLinks('<a href="javascript:alert(1)">x</a><a href=" DATA:text/html,hi">y</a>');
    expect(t.parts.join('')).toBe('<a href="#">x</a><a href="#">y</a>');
  });

  it('handles unquoted values, attributes without values and text containing "<"', () => {
    const t = extractLinks('<p>1 < 2</p><a download href=https://e.com/f.pdf>f</a>');
    expect(t.links).toEqual(['https://e.com/f.pdf']);
    expect(fill(t)).toBe('<p>1 < 2</p><a download href="SLOT0">f</a>');
  });

  it('finds the body link after a head full of styles', () => {
    const html = '<html><head><style>@import url(https://x.example/y.css);</style></head><body><a href="https://e.com/">go</a></body></html>';
    expect(extractLinks(html).links).toEqual(['https://e.com/']);
  });

  it('returns the HTML unchanged when there are no links', () => {
    expect(extractLinks('<p>plain</p>')).toEqual({ parts: ['<p>plain</p>'], links: [], slotLinkIndex: [], slotHrefs: [] });
  });
});
