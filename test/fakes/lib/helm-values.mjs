// Values the way helm builds them: values files merged in order, then --set (typed) and
// --set-string, parsed like helm's strvals: "," separates assignments, "." nests keys, "\"
// escapes the next character, and a value in braces is a list.
import { readFileSync, existsSync } from "node:fs";
import { resolve } from "node:path";
import { parse } from "yaml";

export class ValuesError extends Error {}

const isMap = (value) => typeof value === "object" && value !== null && !Array.isArray(value);

/** Deep merge: maps merge key by key, anything else from `top` replaces. */
export function merge(base, top) {
  const result = { ...base };
  for (const [key, value] of Object.entries(top ?? {})) {
    result[key] = isMap(value) && isMap(result[key]) ? merge(result[key], value) : value;
  }
  return result;
}

function readUntil(text, start, stops) {
  let value = "";
  let index = start;
  while (index < text.length) {
    const character = text[index];
    if (character === "\\") {
      if (index + 1 < text.length) value += text[index + 1];
      index += 2;
      continue;
    }
    if (stops.includes(character)) return { value, index, stop: character };
    value += character;
    index++;
  }
  return { value, index, stop: undefined };
}

function typed(value, stringMode) {
  if (stringMode) return value;
  if (value === "true") return true;
  if (value === "false") return false;
  if (value === "null") return null;
  if (/^(?:0|-?[1-9]\d*)$/.test(value)) return Number(value);
  return value;
}

function assign(target, keyPath, value) {
  let current = target;
  keyPath.forEach((key, position) => {
    if (position === keyPath.length - 1) {
      current[key] = value;
    } else {
      if (!isMap(current[key])) current[key] = {};
      current = current[key];
    }
  });
}

/** Applies one --set / --set-string argument to `target`. */
export function applySet(target, text, stringMode, flag) {
  let index = 0;
  while (index < text.length) {
    const keyPath = [];
    for (;;) {
      const part = readUntil(text, index, ["=", ".", ","]);
      keyPath.push(part.value);
      index = part.index + 1;
      if (part.stop === ".") continue;
      if (part.stop !== "=") {
        throw new ValuesError(`failed parsing ${flag} data: key "${keyPath.join(".")}" has no value`);
      }
      break;
    }
    if (text[index] === "{") {
      const list = [];
      index++;
      for (;;) {
        const item = readUntil(text, index, [",", "}"]);
        if (item.stop === undefined)
          throw new ValuesError(`failed parsing ${flag} data: list must terminate with '}'`);
        if (!(item.value === "" && item.stop === "}" && list.length === 0))
          list.push(typed(item.value, stringMode));
        index = item.index + 1;
        if (item.stop === "}") break;
      }
      assign(target, keyPath, list);
      if (text[index] === ",") index++;
      continue;
    }
    const value = readUntil(text, index, [","]);
    assign(target, keyPath, typed(value.value, stringMode));
    index = value.index + 1;
  }
  return target;
}

/** The user-supplied values of a command: -f files, then --set, then --set-string. */
export function userValues(flags, cwd, base = {}) {
  let values = base;
  for (const file of flags.values ?? []) {
    const path = resolve(cwd, file);
    if (!existsSync(path)) throw new ValuesError(`open ${file}: no such file or directory`);
    const parsed = parse(readFileSync(path, "utf8")) ?? {};
    if (!isMap(parsed)) throw new ValuesError(`failed to parse ${file}: error converting YAML to JSON`);
    values = merge(values, parsed);
  }
  for (const item of flags.set ?? [])
    values = applySet(JSON.parse(JSON.stringify(values)), item, false, "--set");
  for (const item of flags["set-string"] ?? [])
    values = applySet(JSON.parse(JSON.stringify(values)), item, true, "--set-string");
  return values;
}

export function valueAt(values, path) {
  return path.split(".").reduce((current, key) => (isMap(current) ? current[key] : undefined), values);
}
