// Secrets are hidden in one place. Every value registered here is replaced by *** wherever it
// appears in something relctl writes (terminal, --json events, journals, evidence, error
// details), in its plain, URL-encoded, JSON-escaped and base64 forms: a token pasted into a URL
// or a JSON body must not leak through the encoding.

export const REDACTED = "***";

/** Values shorter than this are not redacted: hiding "1" or "a" would shred every message. */
const MIN_SECRET_LENGTH = 3;

export class Redactor {
  private readonly forms = new Set<string>();
  private pattern: RegExp | undefined;

  add(value: string | undefined): void {
    if (value === undefined) return;
    for (const line of value.split(/\r?\n/)) this.addForm(line.trim());
    this.addForm(value);
  }

  redact(text: string): string {
    if (this.pattern === undefined) return text;
    return text.replace(this.pattern, REDACTED);
  }

  /** Redacts every string inside a value (objects and arrays are copied, never mutated). */
  redactDeep<T>(value: T): T {
    if (this.pattern === undefined) return value;
    return this.walk(value) as T;
  }

  private walk(value: unknown): unknown {
    if (typeof value === "string") return this.redact(value);
    if (Array.isArray(value)) return value.map((item) => this.walk(item));
    if (value !== null && typeof value === "object" && isPlainObject(value)) {
      const copy: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) copy[this.redact(key)] = this.walk(item);
      return copy;
    }
    return value;
  }

  private addForm(value: string): void {
    if (value.length < MIN_SECRET_LENGTH) return;
    const before = this.forms.size;
    for (const form of encodedForms(value)) if (form.length >= MIN_SECRET_LENGTH) this.forms.add(form);
    if (this.forms.size !== before) this.rebuild();
  }

  private rebuild(): void {
    // Longest first, so a secret that contains another is replaced whole.
    const sorted = [...this.forms].sort((a, b) => b.length - a.length);
    this.pattern = new RegExp(sorted.map(escapeRegExp).join("|"), "g");
  }
}

function encodedForms(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  return [
    value,
    encodeURIComponent(value),
    encodeURI(value),
    encodeURIComponent(value).replace(/%20/g, "+"),
    json,
    // A JSON string inside a JSON string (a webhook body logged as a string) doubles the escapes.
    JSON.stringify(json).slice(1, -1),
    Buffer.from(value).toString("base64"),
    ...urlSerializedForms(value),
  ];
}

/** Characters a URL path percent-encodes besides controls, space and non-ASCII (WHATWG URL). */
const PATH_ENCODED = `"#<>?\`{}`;

/**
 * How a URL writes the value when it serializes itself (fetch, curl -v, any URL library): in a
 * query, a path and a password. These differ from encodeURI/encodeURIComponent (a query keeps
 * `\` and `+`, encodes `'`), so a printed request URL would otherwise leak the secret.
 */
function urlSerializedForms(value: string): string[] {
  const url = new URL("http://host/");
  url.search = `?${value}`;
  url.password = value;
  let path = "";
  for (const char of value) {
    const code = char.codePointAt(0)!;
    const encode = code <= 0x20 || code >= 0x7f || PATH_ENCODED.includes(char);
    path += encode
      ? [...Buffer.from(char)].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, "0")}`).join("")
      : char;
  }
  return [url.search.slice(1), url.password, path];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
