// Aliases checked before a YAML document becomes data, each problem at the alias that causes it:
// an alias without an anchor, an alias inside the value it names (a cycle), a merge (`<<:`) of
// something that is not a map, and an alias bomb. The bomb is measured by what it costs: the
// number of values the aliases stand for once expanded, and the number of aliases (yaml looks
// each one up in a list of them all). yaml's own maxAliasCount counts uses per anchor instead,
// so merging one small `x-` anchor into 101 steps would count as a bomb.
import type * as Yaml from "yaml";
import type { Document, Node } from "yaml";
import { visibleName } from "../util/visible-name.js";

/**
 * How many values (scalars, lists, maps) aliases may stand for, in all. A 1,000-step playbook
 * that merges a 10-value anchor into every step uses 10,000; the smallest bombs that hurt stand
 * for millions (the classic one, a billion).
 */
export const MAX_ALIASED_VALUES = 100_000;
/** How many aliases a file may use: yaml takes about a second to resolve 10,000 (quadratic time). */
export const MAX_ALIAS_USES = 10_000;

export interface AliasProblem {
  code: "yaml-alias" | "yaml-alias-bomb";
  message: string;
  hint: string;
  /** Offset of the alias in the text. */
  offset: number;
}

class Found extends Error {
  constructor(readonly problem: AliasProblem) {
    super(problem.message);
  }
}

/** The first problem with the document's aliases, or undefined when they are all fine. */
export function checkAliases(doc: Document, yaml: typeof Yaml, display: string): AliasProblem | undefined {
  const anchors = new Map<string, Node>();
  // Expanded size of every anchored node walked to its end; an anchored node still being walked
  // is not in it yet, so an alias to it is a cycle.
  const sizes = new Map<Node, number>();
  let aliased = 0;
  let uses = 0;

  const fail = (node: Node, code: AliasProblem["code"], message: string, hint: string): never => {
    throw new Found({ code, message, hint, offset: node.range?.[0] ?? 0 });
  };

  const target = (alias: Yaml.Alias): Node => {
    const name = visibleName(alias.source);
    const node = anchors.get(alias.source);
    if (!node) {
      return fail(
        alias,
        "yaml-alias",
        `invalid YAML: alias *${name} has no anchor &${name} before it`,
        `define &${name} before the first *${name}; an anchor must come before its aliases`,
      );
    }
    if (!sizes.has(node)) {
      return fail(
        alias,
        "yaml-alias",
        `invalid YAML: alias *${name} is inside the value it names`,
        "a value cannot contain itself; copy the part you need instead",
      );
    }
    return node;
  };

  const checkMerge = (key: Node, value: unknown): void => {
    const sources = yaml.isAlias(value) ? target(value) : value;
    const items = yaml.isSeq(sources) ? sources.items : [value];
    for (const item of items) {
      const source = yaml.isAlias(item) ? target(item) : item;
      if (yaml.isMap(source)) continue;
      const at = yaml.isNode(item) ? item : yaml.isNode(value) ? value : key;
      const what = yaml.isAlias(item)
        ? `*${visibleName(item.source)} is ${kindOf(yaml, source)}`
        : `got ${kindOf(yaml, source)}`;
      fail(
        at,
        "yaml-alias",
        `invalid YAML: a merge key (<<) takes a map or a list of maps; ${what}`,
        "merge an anchored map (&defaults { … }) with <<: *defaults",
      );
    }
  };

  const walk = (node: unknown): number => {
    if (node === null || node === undefined) return 0;
    if (yaml.isAlias(node)) {
      const size = sizes.get(target(node))!;
      aliased += size;
      if (++uses > MAX_ALIAS_USES) {
        fail(
          node,
          "yaml-alias-bomb",
          `${display} uses more than ${MAX_ALIAS_USES.toLocaleString("en")} YAML aliases: refusing a possible alias bomb`,
          "write the repeated values out, or use include: to share them",
        );
      }
      if (aliased > MAX_ALIASED_VALUES) {
        fail(
          node,
          "yaml-alias-bomb",
          `YAML aliases in ${display} stand for more than ${MAX_ALIASED_VALUES.toLocaleString("en")} values: refusing a possible alias bomb`,
          "write the repeated values out, or use include: to share them",
        );
      }
      return size;
    }
    const anchor = yaml.isNode(node) ? node.anchor : undefined;
    if (anchor !== undefined) anchors.set(anchor, node as Node);
    let size = 1;
    if (yaml.isMap(node) || yaml.isSeq(node)) {
      for (const item of node.items as unknown[]) {
        if (!yaml.isPair(item)) {
          size += walk(item);
          continue;
        }
        size += walk(item.key);
        if (isMergeKey(yaml, item.key)) checkMerge(item.key, item.value);
        size += walk(item.value);
      }
    }
    if (anchor !== undefined) sizes.set(node as Node, size);
    return size;
  };

  try {
    walk(doc.contents);
    return undefined;
  } catch (error) {
    if (error instanceof Found) return error.problem;
    throw error;
  }
}

/** A plain `<<` key, as yaml's merge option reads it (its value is then a symbol). */
function isMergeKey(yaml: typeof Yaml, key: unknown): key is Yaml.Scalar {
  if (!yaml.isScalar(key) || (key.type && key.type !== "PLAIN")) return false;
  const { value } = key;
  return value === "<<" || (typeof value === "symbol" && value.description === "<<");
}

function kindOf(yaml: typeof Yaml, node: unknown): string {
  if (yaml.isSeq(node)) return "a list";
  if (yaml.isScalar(node)) return node.value === null ? "empty" : "a scalar";
  return "not a map";
}
