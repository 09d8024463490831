// `{name}` placeholders in message and issue templates, filled from a map of fields. The engine
// has already rendered `${{ }}` expressions, so a field's value is plain data here: text, a
// number, a boolean or a list (shown one item per line).

export type FieldValue = string | number | boolean | null | readonly (string | number | boolean)[];
export type Fields = Readonly<Record<string, FieldValue | undefined>>;

const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9_]*)\}/g;

/** Field names a template reads, in order of first use. */
export function placeholdersOf(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((match) => match[1]!))];
}

/** A field's text, or undefined when it is absent or empty (null, "", an empty list). */
export function fieldText(value: FieldValue | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) {
    const items = value.map(String).filter((item) => item.trim() !== "");
    return items.length ? items.map((item) => `- ${item}`).join("\n") : undefined;
  }
  const text = String(value as string | number | boolean);
  return text.trim() === "" ? undefined : text;
}

export interface Filled {
  text: string;
  /** Placeholders whose field is absent or empty (left as written in `text`). */
  missing: string[];
}

export function fillTemplate(template: string, fields: Fields): Filled {
  const missing: string[] = [];
  const text = template.replace(PLACEHOLDER, (whole, name: string) => {
    const value = fieldText(fields[name]);
    if (value === undefined) {
      if (!missing.includes(name)) missing.push(name);
      return whole;
    }
    return value;
  });
  return { text, missing };
}

/** Fills a template, or returns undefined when any field it reads is missing. */
export function fillAll(template: string, fields: Fields): string | undefined {
  const filled = fillTemplate(template, fields);
  return filled.missing.length ? undefined : filled.text;
}
