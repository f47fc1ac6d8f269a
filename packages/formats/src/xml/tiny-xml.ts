/**
 * A small, strict XML reader for well-formed device files: elements, attributes, text, CDATA, comments, processing
 * instructions and the five predefined entities plus numeric character references. No DTDs, no namespaces
 * resolution (prefixes are kept in names). Never throws: malformed input gives a reason.
 */
import type { ParseResult } from '../result.ts';

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Concatenated character data directly inside this element. */
  text: string;
}

const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
const ENTITY = /&(#x[0-9A-Fa-f]+|#[0-9]+|lt|gt|amp|quot|apos);/g;
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

const BARE_AMPERSAND = /&(?!(?:#x[0-9A-Fa-f]+|#[0-9]+|lt|gt|amp|quot|apos);)/;

function decodeEntities(text: string): string | null {
  if (!text.includes('&')) return text;
  if (BARE_AMPERSAND.test(text)) return null;
  return text.replace(ENTITY, (_, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number.parseInt(entity.slice(1), 10));
    return PREDEFINED[entity] ?? '';
  });
}

export function parseXml(source: string): ParseResult<XmlElement> {
  const text = source.replace(/^\uFEFF/, '');
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  let i = 0;
  const fail = (reason: string): ParseResult<XmlElement> => ({ ok: false, reason: `${reason} at offset ${i}` });
  const readName = (): string | null => {
    NAME.lastIndex = i;
    const match = NAME.exec(text);
    if (!match) return null;
    i += match[0].length;
    return match[0];
  };
  const skipSpace = () => {
    while (i < text.length && /\s/.test(text[i] as string)) i++;
  };

  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const chunk = lt === -1 ? text.slice(i) : text.slice(i, lt);
    if (chunk.length > 0) {
      const current = stack.at(-1);
      if (!current) {
        if (chunk.trim() !== '') return fail('text outside the root element');
      } else {
        const decoded = decodeEntities(chunk);
        if (decoded === null) return fail('invalid entity reference');
        current.text += decoded;
      }
    }
    if (lt === -1) break;
    i = lt;
    if (text.startsWith('<?', i)) {
      const end = text.indexOf('?>', i);
      if (end === -1) return fail('unterminated processing instruction');
      i = end + 2;
    } else if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i);
      if (end === -1) return fail('unterminated comment');
      i = end + 3;
    } else if (text.startsWith('<![CDATA[', i)) {
      const end = text.indexOf(']]>', i);
      const current = stack.at(-1);
      if (end === -1 || !current) return fail('misplaced or unterminated CDATA');
      current.text += text.slice(i + 9, end);
      i = end + 3;
    } else if (text.startsWith('<!', i)) {
      return fail('DTDs are not supported');
    } else if (text.startsWith('</', i)) {
      i += 2;
      const name = readName();
      skipSpace();
      if (!name || text[i] !== '>') return fail('malformed end tag');
      i++;
      const open = stack.pop();
      if (!open || open.name !== name) return fail(`end tag </${name}> does not match <${open?.name ?? ''}>`);
    } else {
      i++;
      const name = readName();
      if (!name) return fail('malformed start tag');
      const element: XmlElement = { name, attributes: {}, children: [], text: '' };
      for (;;) {
        skipSpace();
        if (text.startsWith('/>', i) || text[i] === '>') break;
        const attribute = readName();
        if (!attribute) return fail(`malformed attribute in <${name}>`);
        skipSpace();
        if (text[i] !== '=') return fail(`attribute ${attribute} has no value`);
        i++;
        skipSpace();
        const quote = text[i];
        if (quote !== '"' && quote !== "'") return fail(`attribute ${attribute} is not quoted`);
        const end = text.indexOf(quote, i + 1);
        if (end === -1) return fail('unterminated attribute value');
        const value = decodeEntities(text.slice(i + 1, end));
        if (value === null || value.includes('<')) return fail(`invalid attribute value for ${attribute}`);
        element.attributes[attribute] = value;
        i = end + 1;
      }
      const parent = stack.at(-1);
      if (parent) parent.children.push(element);
      else if (root) return fail('more than one root element');
      else root = element;
      if (text.startsWith('/>', i)) {
        i += 2;
      } else {
        i++;
        stack.push(element);
      }
    }
  }
  if (stack.length > 0) return { ok: false, reason: `unclosed element <${stack.at(-1)?.name}>` };
  if (!root) return { ok: false, reason: 'no root element' };
  return { ok: true, value: root };
}

export const child = (element: XmlElement | undefined, name: string): XmlElement | undefined =>
  element?.children.find((c) => c.name === name);

export const childrenNamed = (element: XmlElement | undefined, name: string): XmlElement[] =>
  element?.children.filter((c) => c.name === name) ?? [];

export const childText = (element: XmlElement | undefined, name: string): string | null => {
  const found = child(element, name);
  return found ? found.text.trim() : null;
};
