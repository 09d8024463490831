// Tokens of the expression language inside `${{ … }}`. Offsets are kept so errors point at the
// column where the problem is.
import { ExpressionError } from "./types.js";

export type TokenKind = "number" | "string" | "name" | "op" | "punct" | "end";

export interface Token {
  kind: TokenKind;
  text: string;
  /** Decoded value of a string or number literal. */
  value?: string | number;
  offset: number;
}

const OPERATORS = ["==", "!=", "<=", ">=", "&&", "||", "<", ">", "!"];
const PUNCTUATION = new Set(["(", ")", "[", "]", ".", ","]);
// Sticky: matched at lastIndex, so a long expression is not copied once per token.
const NUMBER = /-?\d+\.?\d*(?:[eE][+-]?\d+)?/y;
const NAME = /[A-Za-z_][A-Za-z0-9_-]*/y;

function matchAt(pattern: RegExp, source: string, index: number): string | undefined {
  pattern.lastIndex = index;
  return pattern.exec(source)?.[0];
}

/** Splits `source` (the text between `${{` and `}}`) into tokens; `base` is its offset. */
export function tokenize(source: string, base: number): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < source.length) {
    const char = source[index]!;
    if (/\s/.test(char)) {
      index++;
      continue;
    }
    const offset = base + index;
    if (char === "'" || char === '"') {
      const [value, end] = readString(source, index, base);
      tokens.push({ kind: "string", text: source.slice(index, end), value, offset });
      index = end;
      continue;
    }
    const number = matchAt(NUMBER, source, index);
    if (number && (char !== "-" || startsOperand(tokens))) {
      tokens.push({ kind: "number", text: number, value: Number(number), offset });
      index += number.length;
      continue;
    }
    const name = matchAt(NAME, source, index);
    if (name) {
      tokens.push({ kind: "name", text: name, offset });
      index += name.length;
      continue;
    }
    const operator = OPERATORS.find((candidate) => source.startsWith(candidate, index));
    if (operator) {
      tokens.push({ kind: "op", text: operator, offset });
      index += operator.length;
      continue;
    }
    if (PUNCTUATION.has(char)) {
      tokens.push({ kind: "punct", text: char, offset });
      index++;
      continue;
    }
    throw new ExpressionError(`unexpected character "${char}"`, offset);
  }
  tokens.push({ kind: "end", text: "", offset: base + source.length });
  return tokens;
}

/** A minus sign starts a negative number only where an operand may start. */
function startsOperand(tokens: Token[]): boolean {
  const previous = tokens.at(-1);
  if (!previous) return true;
  if (previous.kind === "op") return true;
  return (
    previous.kind === "punct" && (previous.text === "(" || previous.text === "," || previous.text === "[")
  );
}

function readString(source: string, start: number, base: number): [string, number] {
  const quote = source[start]!;
  let value = "";
  let index = start + 1;
  while (index < source.length) {
    const char = source[index]!;
    if (char === quote) {
      // A doubled quote inside single quotes is an escaped quote: 'it''s'.
      if (quote === "'" && source[index + 1] === "'") {
        value += "'";
        index += 2;
        continue;
      }
      return [value, index + 1];
    }
    if (char === "\\" && quote === '"' && index + 1 < source.length) {
      const next = source[index + 1]!;
      value += next === "n" ? "\n" : next === "t" ? "\t" : next;
      index += 2;
      continue;
    }
    value += char;
    index++;
  }
  throw new ExpressionError("unterminated string literal", base + start);
}
