// Secrets are hidden in one place. Every value registered here is replaced by *** wherever it
// appears in something relctl writes (terminal, --json events, journals, evidence, error
// details), in its plain, URL-encoded, JSON-escaped, base64 and base64url forms: a token pasted
// into a URL or a JSON body must not leak through the encoding. An HTTP Basic credential
// (`Basic base64(user:secret)`, which relctl builds for registries and Prometheus) is decoded
// and hidden whole when it holds a secret, whatever the user name before it.

export const REDACTED = "***";

/**
 * Values shorter than this are not redacted: hiding "1" or "a" would shred every message. A
 * playbook secret that short is refused when it is loaded (secrets.ts), never left visible.
 */
export const MIN_SECRET_LENGTH = 3;

export class Redactor {
  private readonly forms = new FormTree();

  /**
   * Registers a secret: the value and each of its lines, in every encoded form. Each form goes
   * into the tree once, so a 5,000-line CA bundle costs time in proportion to its size.
   */
  add(value: string | undefined): void {
    if (value === undefined) return;
    for (const line of value.split(/\r?\n/)) this.addForm(line.trim());
    this.addForm(value);
  }

  redact(input: string): string {
    if (this.forms.isEmpty() || input.length < MIN_SECRET_LENGTH) return input;
    const text = BASIC_HINT.test(input) ? this.redactBasicCredentials(input) : input;
    let result = "";
    let copied = 0;
    for (let at = this.forms.nextCandidate(text, 0); at !== -1;) {
      const end = this.forms.longestMatch(text, at);
      if (end === -1) {
        at = this.forms.nextCandidate(text, at + 1);
        continue;
      }
      result += text.slice(copied, at) + REDACTED;
      copied = end;
      at = this.forms.nextCandidate(text, end);
    }
    return copied === 0 ? text : result + text.slice(copied);
  }

  /** Redacts every string inside a value (objects and arrays are copied, never mutated). */
  redactDeep<T>(value: T): T {
    if (this.forms.isEmpty()) return value;
    return redactDeepWith(this, value);
  }

  /**
   * base64(user:secret) shares no text with base64(secret) (the user name shifts its bytes), so
   * each Basic credential is decoded and checked for a secret as plain text.
   */
  private redactBasicCredentials(text: string): string {
    return text.replace(BASIC_CREDENTIAL, (whole, scheme: string, token: string) => {
      const decoded = Buffer.from(token, "base64").toString("utf8");
      return this.containsSecret(decoded) ? `${scheme}${REDACTED}` : whole;
    });
  }

  private containsSecret(text: string): boolean {
    for (let at = this.forms.nextCandidate(text, 0); at !== -1; at = this.forms.nextCandidate(text, at + 1)) {
      if (this.forms.longestMatch(text, at) !== -1) return true;
    }
    return false;
  }

  private addForm(value: string): void {
    if (value.length < MIN_SECRET_LENGTH) return;
    for (const form of encodedForms(value)) if (form.length >= MIN_SECRET_LENGTH) this.forms.insert(form);
  }
}

interface Node {
  /** The text from the parent to this node (a compressed run of characters). */
  label: string;
  /** True when the path from the root to here spells a whole form. */
  end: boolean;
  /** Children by the first character code of their label (none yet on a leaf). */
  children?: Map<number, Node>;
}

/**
 * Every secret form in a radix tree (a trie whose single-child runs are one edge). Inserting a
 * form costs its length; finding the longest form at a position of a text walks only as far as
 * some form agrees with the text, however many forms there are. (One regular expression of all
 * the forms would have to be rebuilt on every add, and V8 refuses one for a 100 KB secret.)
 */
class FormTree {
  private readonly root: Node = { label: "", end: false };
  /** The first three characters of every form: a form can only start where one of them does. */
  private readonly prefixes = new Set<string>();
  /** A search for any prefix, while there are few enough for the regex engine to find fast. */
  private prefixSearch: RegExp | undefined;
  private prefixSearchStale = false;

  isEmpty(): boolean {
    return this.root.children === undefined;
  }

  insert(form: string): void {
    const prefix = form.slice(0, MIN_SECRET_LENGTH);
    if (!this.prefixes.has(prefix)) {
      this.prefixes.add(prefix);
      this.prefixSearchStale = true;
    }
    let node = this.root;
    let at = 0;
    for (;;) {
      const children = (node.children ??= new Map());
      const child = children.get(form.charCodeAt(at));
      if (child === undefined) {
        children.set(form.charCodeAt(at), { label: form.slice(at), end: true });
        return;
      }
      const { label } = child;
      let common = 1;
      while (common < label.length && at + common < form.length && label[common] === form[at + common]) {
        common++;
      }
      let next = child;
      if (common < label.length) {
        // The form leaves (or ends inside) the child's label: split the label where they part.
        next = {
          label: label.slice(0, common),
          end: false,
          children: new Map([[label.charCodeAt(common), child]]),
        };
        child.label = label.slice(common);
        children.set(form.charCodeAt(at), next);
      }
      at += common;
      if (at === form.length) {
        next.end = true;
        return;
      }
      node = next;
    }
  }

  /**
   * The first position from `from` on where a form may start, or -1. The regex engine skips
   * through text far faster than a loop in JavaScript can, so while the prefixes are few it
   * finds the candidates; past that (a many-line secret) every position is a candidate.
   */
  nextCandidate(text: string, from: number): number {
    if (this.prefixSearchStale) {
      this.prefixSearchStale = false;
      this.prefixSearch =
        this.prefixes.size <= MAX_SEARCHED_PREFIXES
          ? new RegExp([...this.prefixes].map(escapeRegExp).join("|"), "g")
          : undefined;
    }
    if (this.prefixSearch === undefined) return from <= text.length - MIN_SECRET_LENGTH ? from : -1;
    this.prefixSearch.lastIndex = from;
    return this.prefixSearch.exec(text)?.index ?? -1;
  }

  /**
   * Where the longest form starting at `start` of `text` ends, or -1 when none starts there
   * (the leftmost-longest rule of the regular expression it replaces).
   */
  longestMatch(text: string, start: number): number {
    let node = this.root;
    let at = start;
    let found = -1;
    while (at < text.length) {
      const child = node.children?.get(text.charCodeAt(at));
      if (child === undefined || !text.startsWith(child.label, at)) break;
      at += child.label.length;
      if (child.end) found = at;
      node = child;
    }
    return found;
  }
}

/** `Basic <base64>` as an Authorization header, curl -v or a logged request writes it. */
const BASIC_CREDENTIAL = /\b(basic(?:\s+|%20|\+))([A-Za-z0-9+/]{4,}={0,2})(?![A-Za-z0-9+/=])/gi;
const BASIC_HINT = /basic/i;

/** Beyond this many distinct prefixes, searching for them costs more than it saves. */
const MAX_SEARCHED_PREFIXES = 256;

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
    // Pushgateway label values with a "/" (metrics-export.ts), and any JWT-style encoder.
    Buffer.from(value).toString("base64url"),
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

/**
 * Redacts every string inside a value with any redaction (a Redactor, or an action's
 * `ctx.redact`): objects and arrays are copied, never mutated.
 */
export function redactDeepWith<T>(redactor: Pick<Redactor, "redact">, value: T): T {
  const walk = (item: unknown): unknown => {
    if (typeof item === "string") return redactor.redact(item);
    if (Array.isArray(item)) return item.map(walk);
    if (item !== null && typeof item === "object" && isPlainObject(item)) {
      const copy: Record<string, unknown> = {};
      for (const [key, inner] of Object.entries(item)) copy[redactor.redact(key)] = walk(inner);
      return copy;
    }
    return item;
  };
  return walk(value) as T;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
