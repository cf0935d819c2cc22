import { ConfigurationError } from "../errors.js";

/** How one option is checked. */
export type OptionRule =
  | { readonly kind: "integer"; readonly min: number; readonly max?: number }
  | { readonly kind: "boolean" }
  | { readonly kind: "function" }
  | { readonly kind: "choice"; readonly values: readonly string[] }
  | { readonly kind: "object"; readonly spec: OptionSpec }
  | {
      readonly kind: "any";
      readonly describe: string;
      readonly test: (value: unknown) => boolean;
      /** Keep a deep-frozen copy of plain objects and arrays (configuration data such as TLS options), not the caller's object. */
      readonly copy?: boolean;
    };

/** The options an object may hold, each with its rule. */
export type OptionSpec = Readonly<Record<string, OptionRule>>;

/**
 * Checks `value` against `spec`: unknown keys are rejected by name (with the closest known
 * name when it looks like a typo), every value against its rule. Returns a deep-frozen copy.
 */
export function validateOptions<T extends object>(value: unknown, spec: OptionSpec, path: string): Readonly<T> {
  if (value === undefined) return Object.freeze({}) as T;
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ConfigurationError(`${path} must be an object, got ${describe(value)}`);
  }
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    // Own keys only: `spec.toString` would otherwise be found on Object.prototype.
    const rule = Object.hasOwn(spec, key) ? spec[key] : undefined;
    const where = `${path}.${key}`;
    if (rule === undefined) {
      const guess = closest(key, Object.keys(spec));
      const hint = guess === undefined ? `known options: ${Object.keys(spec).join(", ")}` : `did you mean "${guess}"?`;
      throw new ConfigurationError(`unknown option ${where}: ${hint}`);
    }
    if (item === undefined) continue;
    result[key] = check(item, rule, where);
  }
  return Object.freeze(result) as T;
}

function check(value: unknown, rule: OptionRule, where: string): unknown {
  switch (rule.kind) {
    case "integer":
      if (typeof value !== "number" || !Number.isInteger(value) || value < rule.min || (rule.max !== undefined && value > rule.max)) {
        const range = rule.max === undefined ? `>= ${rule.min}` : `from ${rule.min} to ${rule.max}`;
        throw new ConfigurationError(`option ${where} must be an integer ${range}, got ${describe(value)}`);
      }
      return value;
    case "boolean":
      if (typeof value !== "boolean") throw new ConfigurationError(`option ${where} must be true or false, got ${describe(value)}`);
      return value;
    case "function":
      if (typeof value !== "function") throw new ConfigurationError(`option ${where} must be a function, got ${describe(value)}`);
      return value;
    case "choice":
      if (typeof value !== "string" || !rule.values.includes(value)) {
        throw new ConfigurationError(`option ${where} must be one of ${rule.values.map((v) => `"${v}"`).join(", ")}, got ${describe(value)}`);
      }
      return value;
    case "object":
      return validateOptions(value, rule.spec, where);
    case "any":
      if (!rule.test(value)) throw new ConfigurationError(`option ${where} must be ${rule.describe}, got ${describe(value)}`);
      return rule.copy === true ? frozenCopy(value) : value;
  }
}

/** Copies plain objects and arrays (deeply) and freezes the copies; anything else (Buffers, functions, class instances) is kept as given. */
function frozenCopy(value: unknown): unknown {
  if (Array.isArray(value)) return Object.freeze(value.map(frozenCopy));
  if (typeof value !== "object" || value === null) return value;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  return Object.freeze(Object.fromEntries(Object.entries(value).map(([key, item]) => [key, frozenCopy(item)])));
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}

function closest(key: string, known: readonly string[]): string | undefined {
  // Units are part of option names: `busyTimeout` means `busyTimeoutMillis`.
  const lower = key.toLowerCase();
  const extended = known.find((candidate) => lower.length >= 4 && candidate.toLowerCase().startsWith(lower));
  if (extended !== undefined) return extended;
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance between two strings (for "did you mean" hints). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}
