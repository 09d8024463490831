// Recursive-descent parser for one expression. Grammar, loosest binding first:
//   or      := and ("||" and)*
//   and     := compare ("&&" compare)*
//   compare := unary (("=="|"!="|"<"|"<="|">"|">=") unary)?
//   unary   := "!" unary | postfix
//   postfix := primary ("." name | "[" or "]")*
//   primary := literal | context | name "(" args ")" | "(" or ")"
import { tokenize, type Token } from "./lexer.js";
import { ExpressionError, type RootName } from "./types.js";

export const ROOTS: readonly RootName[] = ["vars", "steps", "env", "release", "secrets", "run"];

export type Node =
  | { type: "literal"; value: string | number | boolean | null; offset: number }
  | { type: "context"; root: RootName; offset: number }
  | { type: "member"; object: Node; property: string | Node; offset: number; end: number }
  | { type: "call"; name: string; args: Node[]; offset: number }
  | { type: "not"; operand: Node; offset: number }
  | { type: "compare"; op: string; left: Node; right: Node; offset: number }
  | { type: "logical"; op: "&&" | "||"; left: Node; right: Node; offset: number };

export function parseExpression(
  source: string,
  base: number,
  knownFunction: (name: string) => boolean,
): Node {
  const parser = new Parser(tokenize(source, base), knownFunction);
  if (parser.peek().kind === "end") throw new ExpressionError("empty expression", base);
  const node = parser.or();
  const rest = parser.peek();
  if (rest.kind !== "end") throw new ExpressionError(`unexpected "${rest.text}"`, rest.offset);
  return node;
}

class Parser {
  private index = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly knownFunction: (name: string) => boolean,
  ) {}

  peek(): Token {
    return this.tokens[this.index]!;
  }

  private next(): Token {
    return this.tokens[this.index++]!;
  }

  private accept(text: string): boolean {
    const token = this.peek();
    if ((token.kind === "op" || token.kind === "punct") && token.text === text) {
      this.index++;
      return true;
    }
    return false;
  }

  private expect(text: string): Token {
    const token = this.next();
    if (token.text !== text || token.kind === "string") {
      const found = token.kind === "end" ? "the end of the expression" : `"${token.text}"`;
      throw new ExpressionError(`expected "${text}" but found ${found}`, token.offset);
    }
    return token;
  }

  or(): Node {
    let left = this.and();
    while (this.peek().text === "||" && this.peek().kind === "op") {
      const { offset } = this.next();
      left = { type: "logical", op: "||", left, right: this.and(), offset };
    }
    return left;
  }

  private and(): Node {
    let left = this.compare();
    while (this.peek().text === "&&" && this.peek().kind === "op") {
      const { offset } = this.next();
      left = { type: "logical", op: "&&", left, right: this.compare(), offset };
    }
    return left;
  }

  private compare(): Node {
    const left = this.unary();
    const token = this.peek();
    if (token.kind === "op" && ["==", "!=", "<", "<=", ">", ">="].includes(token.text)) {
      this.index++;
      return { type: "compare", op: token.text, left, right: this.unary(), offset: token.offset };
    }
    return left;
  }

  private unary(): Node {
    const token = this.peek();
    if (token.kind === "op" && token.text === "!") {
      this.index++;
      return { type: "not", operand: this.unary(), offset: token.offset };
    }
    return this.postfix();
  }

  private postfix(): Node {
    let node = this.primary();
    for (;;) {
      if (this.accept(".")) {
        const name = this.next();
        if (name.kind !== "name" && name.kind !== "number") {
          throw new ExpressionError(`expected a property name after "."`, name.offset);
        }
        node = {
          type: "member",
          object: node,
          property: name.text,
          offset: node.offset,
          end: name.offset + name.text.length,
        };
      } else if (this.accept("[")) {
        const property = this.or();
        const close = this.expect("]");
        const key =
          property.type === "literal" && property.value !== null ? String(property.value) : property;
        node = { type: "member", object: node, property: key, offset: node.offset, end: close.offset + 1 };
      } else {
        return node;
      }
    }
  }

  private primary(): Node {
    const token = this.next();
    switch (token.kind) {
      case "number":
      case "string":
        return { type: "literal", value: token.value!, offset: token.offset };
      case "name":
        return this.name(token);
      case "punct":
        if (token.text === "(") {
          const inner = this.or();
          this.expect(")");
          return inner;
        }
        break;
      default:
        break;
    }
    const found = token.kind === "end" ? "the end of the expression" : `"${token.text}"`;
    throw new ExpressionError(`expected a value but found ${found}`, token.offset);
  }

  private name(token: Token): Node {
    const { text, offset } = token;
    if (text === "true" || text === "false") return { type: "literal", value: text === "true", offset };
    if (text === "null") return { type: "literal", value: null, offset };
    if ((ROOTS as readonly string[]).includes(text))
      return { type: "context", root: text as RootName, offset };
    if (this.accept("(")) {
      if (!this.knownFunction(text)) throw new ExpressionError(`unknown function ${text}()`, offset);
      const args: Node[] = [];
      if (!this.accept(")")) {
        do args.push(this.or());
        while (this.accept(","));
        this.expect(")");
      }
      return { type: "call", name: text, args, offset };
    }
    throw new ExpressionError(
      `unknown name "${text}": expressions read ${ROOTS.map((root) => `${root}.…`).join(", ")}, literals and functions`,
      offset,
    );
  }
}
