// What a playbook's YAML may hold beyond plain data, checked the same way whichever parser read
// it (js-yaml on the fast path, yaml when positions or aliases are needed):
// - nesting at most MAX_YAML_DEPTH levels: deeper documents exhaust a recursive parser's stack
//   ("Maximum call stack size exceeded"), and no playbook comes near it;
// - only the tags of YAML's core schema (!!str, !!int, !!float, !!bool, !!null, !!map, !!seq and
//   the non-specific !): `!pwn` or `!!js/function` would otherwise be read silently as text.
import type * as Yaml from "yaml";
import type { Document } from "yaml";
import { visibleName } from "../util/visible-name.js";

/**
 * Levels of nesting a document may have, counting the value at the top as 1 and each list item,
 * map key and map value one level below its parent (js-yaml's own maxDepth counts the same way).
 */
export const MAX_YAML_DEPTH = 100;

// (merge is the `<<` key both parsers are told to read.)
const CORE_TAGS = new Set(
  ["str", "int", "float", "bool", "null", "map", "seq", "merge"].map((name) => `tag:yaml.org,2002:${name}`),
);

export interface YamlLimitProblem {
  code: "yaml-too-deep" | "yaml-tag";
  message: string;
  hint: string;
  /** Offset in the text (or, from js-yaml, line and column). */
  offset?: number;
  at?: { line: number; column: number };
}

export function tooDeep(display: string, at: Pick<YamlLimitProblem, "offset" | "at">): YamlLimitProblem {
  return {
    code: "yaml-too-deep",
    message: `${display} nests deeper than ${MAX_YAML_DEPTH} levels of lists and maps, relctl's limit`,
    hint: "a playbook needs a dozen levels at most; check for a generated or runaway file",
    ...at,
  };
}

/** How a tag is written: !pwn, or !!js/function for the YAML namespace yaml expands. */
function writtenTag(tag: string): string {
  return tag.startsWith("tag:yaml.org,2002:") ? `!!${tag.slice("tag:yaml.org,2002:".length)}` : tag;
}

export function unknownTag(tag: string, at: Pick<YamlLimitProblem, "offset" | "at">): YamlLimitProblem {
  const shown = writtenTag(tag);
  return {
    code: "yaml-tag",
    message: `unknown YAML tag ${visibleName(shown)}: relctl reads plain YAML data (strings, numbers, booleans, null, lists, maps)`,
    hint: "remove the tag; quote the value if it should be text",
    ...at,
  };
}

/** The first node deeper than the limit or with a tag outside the core schema, walked without recursion. */
export function checkYamlLimits(
  doc: Document,
  yaml: typeof Yaml,
  display: string,
  text?: string,
): YamlLimitProblem | undefined {
  const stack: [unknown, number][] = [[doc.contents, 1]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [node, depth] = next;
    if (node === null || node === undefined || !yaml.isNode(node)) continue;
    const offset = node.range?.[0] ?? 0;
    if (depth > MAX_YAML_DEPTH) return tooDeep(display, { offset });
    const { tag } = node;
    if (tag !== undefined && tag !== "!" && !CORE_TAGS.has(tag)) {
      // The node's range starts at its value; the tag is written just before it.
      const written = text?.lastIndexOf(writtenTag(tag), offset) ?? -1;
      return unknownTag(tag, { offset: written >= 0 && offset - written < 1024 ? written : offset });
    }
    if (!yaml.isMap(node) && !yaml.isSeq(node)) continue;
    // Pushed in reverse so the first problem in the text is the one reported.
    for (let index = node.items.length - 1; index >= 0; index--) {
      const item: unknown = node.items[index];
      if (yaml.isPair(item)) {
        stack.push([item.value, depth + 1], [item.key, depth + 1]);
      } else {
        stack.push([item, depth + 1]);
      }
    }
  }
  return undefined;
}
