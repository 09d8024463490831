// Recursive-descent parser for one expression. Grammar, loosest binding first:
//   or      := and ("||" and)*
//   and     := compare ("&&" compare)*
//   compare := unary (("=="|"!="|"<"|"<="|">"|">=") unary)?
//   unary   := "!" unary | postfix
//   postfix := primary ("." name | "[" or "]")*
//   primary := literal | context | name "(" args ")" | "(" or ")"
// Nesting is bounded (MAX_DEPTH): parentheses, `!`, calls, brackets and chains of && || and `.`
// deeper than that are refused with the offset where they cross it, so neither parsing nor
// evaluating an expression can run out of stack.
import { tokenize, type Token } from "./lexer.js";
import { ExpressionError, type RootName } from "./types.js";

export const ROOTS: readonly RootName[] = ["vars", "steps", "env", "release", "secrets", "run"];

/** How deeply an expression may nest; real playbooks stay below 10. */
export const MAX_DEPTH = 256;

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
  checkCall: (node: Extract<Node, { type: "call" }>) => void = () => undefined,
): Node {
  const parser = new Parser(tokenize(source, base), knownFunction, checkCall);
  if (parser.peek().kind === "end") throw new ExpressionError("empty expression", base);
  const node = parser.or();
  const rest = parser.peek();
  if (rest.kind !== "end") throw new ExpressionError(`unexpected "${rest.text}"`, rest.offset);
  return node;
}

class Parser {
  private index = 0;
  /** Open parentheses, brackets, calls and `!` around the current token. */
  private nesting = 0;
  /**
   * Height of each node built (a literal or a root is 0): a chain (a || b || …, a.b.c…) nests
   * without parentheses, and evaluating it recurses just as deep.
   */
  private readonly heights = new WeakMap<Node, number>();
  constructor(
    private readonly tokens: Token[],
    private readonly knownFunction: (name: string) => boolean,
    private readonly checkCall: (node: Extract<Node, { type: "call" }>) => void,
  ) {}

  /** Parses one nested part (inside parentheses, brackets, a call or after `!`). */
  private nested<T>(offset: number, parse: () => T): T {
    if (this.nesting >= MAX_DEPTH) throw tooDeep(offset);
    this.nesting++;
    try {
      return parse();
    } finally {
      this.nesting--;
    }
  }

  /** Records a new node's height, refusing a tree deeper than MAX_DEPTH. */
  private built<T extends Node>(node: T, at: number, ...children: Node[]): T {
    const height = 1 + Math.max(0, ...children.map((child) => this.heights.get(child) ?? 0));
    if (height > MAX_DEPTH) throw tooDeep(at);
    this.heights.set(node, height);
    return node;
  }

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
      const right = this.and();
      left = this.built({ type: "logical", op: "||", left, right, offset }, offset, left, right);
    }
    return left;
  }

  private and(): Node {
    let left = this.compare();
    while (this.peek().text === "&&" && this.peek().kind === "op") {
      const { offset } = this.next();
      const right = this.compare();
      left = this.built({ type: "logical", op: "&&", left, right, offset }, offset, left, right);
    }
    return left;
  }

  private compare(): Node {
    const left = this.unary();
    const token = this.peek();
    if (token.kind === "op" && ["==", "!=", "<", "<=", ">", ">="].includes(token.text)) {
      this.index++;
      const right = this.unary();
      return this.built(
        { type: "compare", op: token.text, left, right, offset: token.offset },
        token.offset,
        left,
        right,
      );
    }
    return left;
  }

  private unary(): Node {
    const token = this.peek();
    if (token.kind === "op" && token.text === "!") {
      this.index++;
      const operand = this.nested(token.offset, () => this.unary());
      return this.built({ type: "not", operand, offset: token.offset }, token.offset, operand);
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
        const end = name.offset + name.text.length;
        const member: Node = { type: "member", object: node, property: name.text, offset: node.offset, end };
        node = this.built(member, name.offset, node);
      } else if (this.peek().kind === "punct" && this.peek().text === "[") {
        const open = this.next().offset;
        const property = this.nested(open, () => this.or());
        const close = this.expect("]");
        const key =
          property.type === "literal" && property.value !== null ? String(property.value) : property;
        const member: Node = {
          type: "member",
          object: node,
          property: key,
          offset: node.offset,
          end: close.offset + 1,
        };
        node = this.built(member, open, node, property);
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
          const inner = this.nested(token.offset, () => this.or());
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
        do args.push(this.nested(offset, () => this.or()));
        while (this.accept(","));
        this.expect(")");
      }
      const call = this.built({ type: "call" as const, name: text, args, offset }, offset, ...args);
      this.checkCall(call);
      return call;
    }
    throw new ExpressionError(
      `unknown name "${text}": expressions read ${ROOTS.map((root) => `${root}.…`).join(", ")}, literals and functions`,
      offset,
    );
  }
}

function tooDeep(offset: number): ExpressionError {
  return new ExpressionError(
    `expression nests more than ${MAX_DEPTH} levels deep`,
    offset,
    "split it: compute parts in release: values or vars, or drop redundant parentheses and !",
  );
}
