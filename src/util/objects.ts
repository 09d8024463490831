// Small helpers for plain objects.

/** The object without its undefined fields (they would otherwise show up as keys in JSON diffs and events). */
export function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as T;
}
