// Command-line parsing the way cobra/pflag (helm, cosign, kubectl) do it, so the fakes accept
// exactly what the real tools accept and refuse the rest with the real messages:
// --flag value, --flag=value, -f value, -fvalue, -f=value, combined bool shorthands (-iy),
// booleans only as --flag or --flag=BOOL, flags with an optional value (NoOptDefVal) only as
// --flag or --flag=VALUE, "--" ends the flags, and flags and positionals may be interleaved.

export class UsageError extends Error {}

const BOOL = {
  true: true,
  1: true,
  t: true,
  T: true,
  TRUE: true,
  True: true,
  false: false,
  0: false,
  f: false,
  F: false,
  FALSE: false,
  False: false,
};
const GO_DURATION = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|μs|ms|s|m|h))+$|^0$/;
const UNIT_MS = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go duration ("5m0s", "30s", "300ms", "1h2m3.5s", "0") in milliseconds, as time.ParseDuration reads it. */
export function durationMs(text) {
  if (text === "0") return 0;
  if (!GO_DURATION.test(text)) throw new UsageError(`time: invalid duration "${text}"`);
  let ms = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|μs|ms|s|m|h)/g))
    ms += Number(amount) * UNIT_MS[unit];
  return ms;
}

/**
 * Waits `ms` milliseconds, keeping the process alive meanwhile (Infinity: until killed), then
 * calls `then`. setTimeout alone cannot wait longer than 2^31-1 ms.
 */
export function after(ms, then) {
  const step = Math.min(ms, 2 ** 31 - 1);
  setTimeout(() => (ms === step ? then() : after(ms - step, then)), step);
}

/**
 * spec: { name: { type: "bool" | "string" | "stringArray" | "stringSlice" | "int" | "duration" | "optional",
 *                 short?: "n", optDefault?: string (for optional), deprecated?: string,
 *                 validate?: (value) => string | undefined } }
 * Returns { flags, positionals, warnings }.
 */
export function parseArgs(args, spec) {
  const byShort = new Map();
  for (const [name, flag] of Object.entries(spec)) if (flag.short) byShort.set(flag.short, name);
  const flags = {};
  const positionals = [];
  const warnings = [];
  const set = (name, raw, display) => {
    const flag = spec[name];
    if (flag.deprecated) warnings.push(`Flag --${name} has been deprecated, ${flag.deprecated}`);
    let value;
    switch (flag.type) {
      case "bool":
        if (!(raw in BOOL))
          throw new UsageError(
            `invalid argument "${raw}" for "${display}" flag: strconv.ParseBool: parsing "${raw}": invalid syntax`,
          );
        value = BOOL[raw];
        break;
      case "int":
        if (!/^[+-]?\d+$/.test(raw))
          throw new UsageError(
            `invalid argument "${raw}" for "${display}" flag: strconv.ParseInt: parsing "${raw}": invalid syntax`,
          );
        value = Number(raw);
        break;
      case "duration":
        if (!GO_DURATION.test(raw))
          throw new UsageError(
            `invalid argument "${raw}" for "${display}" flag: time: invalid duration "${raw}"`,
          );
        value = raw;
        break;
      case "stringArray":
        value = [...(flags[name] ?? []), raw];
        break;
      case "stringSlice":
        value = [...(flags[name] ?? []), ...(raw === "" ? [] : raw.split(","))];
        break;
      default:
        value = raw;
    }
    if (flag.validate) {
      const problem = flag.validate(value);
      if (problem) throw new UsageError(`invalid argument "${raw}" for "${display}" flag: ${problem}`);
    }
    flags[name] = value;
  };
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    if (arg === "--") {
      positionals.push(...args.slice(index + 1));
      break;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      const flag = spec[name];
      if (!flag) throw new UsageError(`unknown flag: --${name}`);
      if (eq !== -1) set(name, arg.slice(eq + 1), `--${name}`);
      else if (flag.type === "bool") set(name, "true", `--${name}`);
      else if (flag.type === "optional") set(name, flag.optDefault ?? "", `--${name}`);
      else if (index + 1 < args.length) set(name, args[++index], `--${name}`);
      else throw new UsageError(`flag needs an argument: --${name}`);
      continue;
    }
    if (arg.startsWith("-") && arg !== "-") {
      let rest = arg.slice(1);
      while (rest !== "") {
        const letter = rest[0];
        const name = byShort.get(letter);
        if (!name) throw new UsageError(`unknown shorthand flag: '${letter}' in ${arg}`);
        const flag = spec[name];
        const display = `-${letter}, --${name}`;
        rest = rest.slice(1);
        if (rest.startsWith("=")) {
          set(name, rest.slice(1), display);
          rest = "";
        } else if (flag.type === "bool") {
          set(name, "true", display);
        } else if (flag.type === "optional") {
          set(name, flag.optDefault ?? "", display);
        } else if (rest !== "") {
          set(name, rest, display);
          rest = "";
        } else if (index + 1 < args.length) {
          set(name, args[++index], display);
        } else {
          throw new UsageError(`flag needs an argument: '${letter}' in ${arg}`);
        }
      }
      continue;
    }
    positionals.push(arg);
  }
  return { flags, positionals, warnings };
}
