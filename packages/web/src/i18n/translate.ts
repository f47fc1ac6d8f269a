export type TranslateOf<K extends string> = (key: K, values?: Record<string, string | number>) => string;

/** A translate function over one dictionary: `{name}` placeholders are filled from values; an unknown key shows itself. */
export function translator<K extends string>(dictionary: Record<K, string>): TranslateOf<K> {
  return (key, values) => {
    const text = dictionary[key] ?? key;
    return values ? text.replace(/\{(\w+)\}/g, (match, name: string) => String(values[name] ?? match)) : text;
  };
}
