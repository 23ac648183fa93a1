/**
 * A strict XML 1.0 well-formedness parser for the tests (the package ships no XML parser, and the
 * point is to be as strict as the CI tools that read the report): one root element, matching tags,
 * quoted unique attributes, only the five named entities and character references, and only the
 * characters XML 1.0 allows, also through references. Returns the element tree with text decoded.
 */

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: (XmlElement | string)[];
}

const CHAR = /^[\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]*$/u;
const NAME = /[A-Za-z_:][\w.:-]*/y;
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export class XmlError extends Error {}

export function parseXml(text: string): XmlElement {
  if (!CHAR.test(text)) throw new XmlError('a character XML 1.0 does not allow');
  let i = 0;
  const fail = (why: string): never => {
    throw new XmlError(`${why} at offset ${i}: ${JSON.stringify(text.slice(i, i + 30))}`);
  };
  const skipSpace = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  };
  const skipMisc = () => {
    for (;;) {
      skipSpace();
      if (text.startsWith('<!--', i)) {
        const end = text.indexOf('-->', i + 4);
        if (end < 0) fail('unclosed comment');
        i = end + 3;
      } else return;
    }
  };
  const name = (): string => {
    NAME.lastIndex = i;
    const m = NAME.exec(text);
    if (!m) fail('a name expected');
    i += m![0].length;
    return m![0];
  };
  const decode = (raw: string): string =>
    raw.replace(/&([^;]*);?/g, (whole, ref: string) => {
      if (!whole.endsWith(';')) fail(`a bare & (${whole})`);
      let out: string | undefined;
      if (ref in ENTITIES) out = ENTITIES[ref];
      else if (/^#\d+$/.test(ref)) out = String.fromCodePoint(Number(ref.slice(1)));
      else if (/^#x[0-9a-fA-F]+$/.test(ref)) out = String.fromCodePoint(parseInt(ref.slice(2), 16));
      if (out === undefined || !CHAR.test(out)) fail(`a bad reference &${ref};`);
      return out!;
    });

  const element = (): XmlElement => {
    if (text[i] !== '<') fail('< expected');
    i++;
    const el: XmlElement = { name: name(), attrs: {}, children: [] };
    for (;;) {
      const before = i;
      skipSpace();
      if (text.startsWith('/>', i)) {
        i += 2;
        return el;
      }
      if (text[i] === '>') {
        i++;
        break;
      }
      if (i === before) fail('space before an attribute expected');
      const key = name();
      skipSpace();
      if (text[i] !== '=') fail('= expected');
      i++;
      skipSpace();
      const q = text[i];
      if (q !== '"' && q !== "'") fail('a quoted value expected');
      const end = text.indexOf(q!, i + 1);
      if (end < 0) fail('unclosed attribute value');
      const raw = text.slice(i + 1, end);
      if (raw.includes('<')) fail('< in an attribute value');
      if (key in el.attrs) fail(`attribute ${key} twice`);
      el.attrs[key] = decode(raw);
      i = end + 1;
    }
    for (;;) {
      const lt = text.indexOf('<', i);
      if (lt < 0) fail(`</${el.name}> expected`);
      const raw = text.slice(i, lt);
      if (raw.includes(']]>')) fail(']]> in text');
      if (raw) el.children.push(decode(raw));
      i = lt;
      if (text.startsWith('</', i)) {
        i += 2;
        const closing = name();
        if (closing !== el.name) fail(`</${el.name}> expected, not </${closing}>`);
        skipSpace();
        if (text[i] !== '>') fail('> expected');
        i++;
        return el;
      }
      if (text.startsWith('<!--', i)) {
        const end = text.indexOf('-->', i + 4);
        if (end < 0) fail('unclosed comment');
        i = end + 3;
        continue;
      }
      if (text.startsWith('<![CDATA[', i)) {
        const end = text.indexOf(']]>', i);
        if (end < 0) fail('unclosed CDATA');
        el.children.push(text.slice(i + 9, end));
        i = end + 3;
        continue;
      }
      el.children.push(element());
    }
  };

  if (text.startsWith('<?xml')) {
    const end = text.indexOf('?>');
    if (end < 0) fail('unclosed declaration');
    if (!/^<\?xml version="1\.0"( encoding="UTF-8")?\?>$/.test(text.slice(0, end + 2))) fail('a bad declaration');
    i = end + 2;
  }
  skipMisc();
  const root = element();
  skipMisc();
  if (i !== text.length) fail('content after the root element');
  return root;
}

/** The element's children that are elements named `name`. */
export const childrenNamed = (el: XmlElement, name: string): XmlElement[] =>
  el.children.filter((c): c is XmlElement => typeof c !== 'string' && c.name === name);

/** The element's text, its children's included. */
export const textOf = (el: XmlElement): string => el.children.map((c) => (typeof c === 'string' ? c : textOf(c))).join('');
