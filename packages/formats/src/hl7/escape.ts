/**
 * HL7 v2 escape sequences for the default delimiters `|^~\&` (../shared/docs/interfaces.md §2.6):
 * \F\ field, \S\ component, \T\ subcomponent, \R\ repetition, \E\ escape.
 */

/**
 * Escapes text for one component. Line breaks become a space: the fields PFTIS writes are ST/ID, where `\.br\`
 * (FT formatting) is not defined and a raw CR would end the segment. Other control characters are dropped.
 */
export function escapeHl7(text: string): string {
  return text
    .replace(/\r\n|[\r\n]/g, ' ')
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '')
    .replace(/\\/g, '\\E\\')
    .replace(/\|/g, '\\F\\')
    .replace(/\^/g, '\\S\\')
    .replace(/&/g, '\\T\\')
    .replace(/~/g, '\\R\\');
}

/** Reverses the delimiter escapes and `\.br\`; other sequences (\H\, \Xdd\ …) are kept as they are. */
export function unescapeHl7(text: string): string {
  return text.replace(/\\(F|S|T|R|E|\.br)\\/g, (_, code: string) => {
    switch (code) {
      case 'F':
        return '|';
      case 'S':
        return '^';
      case 'T':
        return '&';
      case 'R':
        return '~';
      case 'E':
        return '\\';
      default:
        return '\n';
    }
  });
}

/**
 * Escapes multi-line text for an FT (formatted text) value: each line as {@link escapeHl7}, the line breaks as
 * `\.br\` (interfaces.md §2.6). Used for conclusions; ST/ID fields keep {@link escapeHl7}.
 */
export function escapeHl7FormattedText(text: string): string {
  return text
    .replace(/\r\n|\r/g, '\n')
    .split('\n')
    .map((line) => escapeHl7(line))
    .join('\\.br\\');
}
