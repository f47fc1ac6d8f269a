/** Escaping for the text documents the report writers produce (JSON string content, XML 1.0 text and attributes). */

/** Characters XML 1.0 cannot hold at all (not even as references): C0 controls other than TAB, LF, CR; lone surrogates; U+FFFE/FFFF. */
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Escapes text for XML element content and attribute values (both quotes); drops characters XML 1.0 forbids. */
export function escapeXml(text: string): string {
  return text
    .replace(XML_INVALID, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\r/g, '&#13;');
}

/** The content of a JSON string literal (no surrounding quotes); U+2028/2029 escaped too, for JavaScript receivers. */
export function escapeJsonString(text: string): string {
  return JSON.stringify(text).slice(1, -1).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export type XmlNode = string | number | null | undefined | XmlNode[] | { [name: string]: XmlNode };

/**
 * Serialises a plain object as XML elements, two-space indented: keys are element names, strings/numbers text,
 * null/undefined empty elements, arrays repeat the element. Keys must be valid XML names (callers use fixed names).
 */
export function xmlElements(node: { [name: string]: XmlNode }, indent = ''): string {
  let out = '';
  for (const [name, value] of Object.entries(node)) {
    const items = Array.isArray(value) ? value : [value];
    for (const item of items) {
      if (item === null || item === undefined || item === '') out += `${indent}<${name}/>\n`;
      else if (typeof item === 'string' || typeof item === 'number') out += `${indent}<${name}>${escapeXml(String(item))}</${name}>\n`;
      else if (Array.isArray(item)) out += `${indent}<${name}>\n${xmlElements({ item }, `${indent}  `)}${indent}</${name}>\n`;
      else out += `${indent}<${name}>\n${xmlElements(item, `${indent}  `)}${indent}</${name}>\n`;
    }
  }
  return out;
}
