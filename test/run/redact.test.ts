// The Redactor hides every registered secret, each line of a many-line one, and their encoded
// forms. A 5,000-line secret (a CA bundle) is as safe as a token, and registering it costs time in
// proportion to its size (scripts/bench.mjs times it; no timing is asserted here).
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { REDACTED, Redactor } from "../../src/run/redact.js";

/** Deterministic pseudo-random base64 text, like the body of a certificate. */
function base64Line(seed: number, length = 20): string {
  return createHash("sha256").update(String(seed)).digest("base64").slice(0, length);
}

/** A small deterministic generator, so a failing case reproduces. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/**
 * What the Redactor replaced before (one regular expression of every form, longest first):
 * leftmost, and the longest form where several start. Only for forms that are plain text.
 */
function reference(forms: string[], text: string): string {
  const sorted = [...new Set(forms)].filter((form) => form.length >= 3).sort((a, b) => b.length - a.length);
  const pattern = new RegExp(
    sorted.map((form) => form.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"),
    "g",
  );
  return text.replace(pattern, REDACTED);
}

describe("the Redactor", () => {
  it("hides every line of a 5,000-line secret, the whole of it and their encoded forms", () => {
    const body = Array.from({ length: 5_000 }, (_, index) =>
      index % 25 === 0 ? "-----BEGIN CERTIFICATE-----" : base64Line(index),
    );
    body[17] = "=="; // too short to hide: hiding it would shred every message
    const secret = body.join("\n");
    const redactor = new Redactor();
    redactor.add(secret);

    const text = [
      `line 4321: ${body[4321]}`,
      `url: https://ca.example/?bundle=${encodeURIComponent(body[9]!)}&x=1`,
      `b64: ${Buffer.from(body[4999]!).toString("base64")}`,
      `json: ${JSON.stringify({ ca: secret })}`,
      `whole: ${secret}`,
      "nothing to hide here ==",
    ].join("\n");
    const redacted = redactor.redact(text);

    expect(redacted.split("\n").slice(0, 4)).toEqual([
      `line 4321: ${REDACTED}`,
      `url: https://ca.example/?bundle=${REDACTED}&x=1`,
      `b64: ${REDACTED}`,
      `json: {"ca":"${REDACTED}"}`,
    ]);
    expect(redacted.split("\n").slice(4)).toEqual([`whole: ${REDACTED}`, "nothing to hide here =="]);
    for (const line of body.filter((line) => line.length >= 3)) expect(redacted).not.toContain(line);
  });

  it("replaces like the single regular expression it replaces, with few secrets and with thousands", () => {
    const next = random(7);
    const pick = <T>(items: T[]): T => items[Math.floor(next() * items.length)]!;
    for (const count of [4, 3_000]) {
      // Secrets that share prefixes and contain one another, so the longest must win.
      const base = Array.from({ length: count }, (_, index) => base64Line(index, 6 + (index % 9)));
      const secrets = [...base, ...base.slice(0, 50).map((secret) => `${secret}${secret.slice(0, 4)}`)];
      const redactor = new Redactor();
      for (const secret of secrets) redactor.add(secret);
      const forms = secrets.flatMap((secret) => [
        secret,
        Buffer.from(secret).toString("base64"),
        Buffer.from(secret).toString("base64url"),
      ]);
      for (let round = 0; round < 200; round++) {
        const pieces = Array.from({ length: 12 }, () =>
          next() < 0.4
            ? pick(forms).slice(0, 2 + Math.floor(next() * 14))
            : pick([" ", "a", "ab=", "--", "x\n"]),
        );
        const text = pieces.join("");
        expect(redactor.redact(text)).toBe(reference(forms, text));
      }
    }
  });

  it("hides a Basic credential that holds a secret, whatever the user name and however it is written", () => {
    const redactor = new Redactor();
    redactor.add("TokValue12345");
    for (const user of ["ci", "a", "robot$acme+deploy"]) {
      const credential = Buffer.from(`${user}:TokValue12345`).toString("base64");
      expect(redactor.redact(`authorization: Basic ${credential}`)).toBe(`authorization: Basic ${REDACTED}`);
      expect(redactor.redact(`> Authorization: basic  ${credential}\r\n`)).toBe(
        `> Authorization: basic  ${REDACTED}\r\n`,
      );
      expect(redactor.redact(`GET /?h=Basic%20${credential}`)).toBe(`GET /?h=Basic%20${REDACTED}`);
    }
    // A Basic credential without a secret in it (a public read-only user) stays as it is.
    const other = `Basic ${Buffer.from("guest:guest").toString("base64")}`;
    expect(redactor.redact(other)).toBe(other);
    // base64url, as relctl writes a Pushgateway label value with a "/".
    const slashy = "a/b?c>TokValue12345";
    redactor.add(slashy);
    expect(redactor.redact(`/label@base64/${Buffer.from(slashy).toString("base64url")}`)).toBe(
      `/label@base64/${REDACTED}`,
    );
  });

  it("replaces a secret that contains another whole, and overlapping ones from the left", () => {
    const redactor = new Redactor();
    redactor.add("token");
    redactor.add("token-extended");
    redactor.add("abcdef");
    redactor.add("defghi");
    expect(redactor.redact("a token-extended token!")).toBe(`a ${REDACTED} ${REDACTED}!`);
    expect(redactor.redact("abcdefghi")).toBe(`${REDACTED}ghi`);
  });

  it("leaves text alone when it holds no secret, and ignores values too short to hide", () => {
    const redactor = new Redactor();
    redactor.add(undefined);
    redactor.add("ab");
    expect(redactor.redact("ab abc")).toBe("ab abc");
    redactor.add("s3cret");
    const text = "s3cre s3cre! 3cret";
    expect(redactor.redact(text)).toBe(text);
    expect(redactor.redact("")).toBe("");
    expect(redactor.redactDeep({ list: ["x s3cret"], s3cret: 1 })).toEqual({
      list: [`x ${REDACTED}`],
      [REDACTED]: 1,
    });
  });
});
