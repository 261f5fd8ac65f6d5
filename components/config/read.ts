import { ProblemList } from "./errors";

/** How far apart two words are (insertions, deletions, substitutions; case ignored). */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++)
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[y.length];
}

/** The known key closest to a mistyped one, when it is close enough to be a typo (or contains it). */
export function closestKey(key: string, known: string[]): string | undefined {
  const lower = key.toLowerCase();
  const contained = known.find((k) => lower.includes(k.toLowerCase()) || k.toLowerCase().includes(lower));
  if (contained) return contained;
  const ranked = known.map((k) => ({ k, d: editDistance(key, k) })).sort((a, b) => a.d - b.d);
  const best = ranked[0];
  return best && best.d <= Math.max(2, Math.floor(best.k.length / 3)) ? best.k : undefined;
}

/**
 * Typed readers over untyped config objects; each records a problem instead of throwing. Every
 * key read is remembered, so `rejectUnknown` can name the ones nothing read (a typo would
 * otherwise silently fall back to a default).
 */
export class RawReader {
  private readonly known = new Set<string>();

  constructor(
    private readonly problems: ProblemList,
    private readonly raw: Record<string, unknown>,
    /** Config path prefix for messages, e.g. `ecs:cloudera`. */
    private readonly path: string,
  ) {}

  field(key: string): string {
    return this.path.includes(":") || this.path.includes("[") ? `${this.path}.${key}` : `${this.path}:${key}`;
  }

  has(key: string): boolean {
    this.known.add(key);
    return this.raw[key] !== undefined && this.raw[key] !== null;
  }

  /** Declares keys read by other code (objects validated on their own). */
  accept(...keys: string[]): void {
    for (const k of keys) this.known.add(k);
  }

  /** Reports every key of the object that no reader asked for, with the closest known key. */
  rejectUnknown(): void {
    for (const key of Object.keys(this.raw)) {
      if (this.known.has(key)) continue;
      const guess = closestKey(key, [...this.known]);
      this.problems.add(
        this.field(key),
        "is not a known setting, so it would be ignored",
        guess
          ? `did you mean \`${guess}\`? (known: ${[...this.known].join(", ")})`
          : `remove it; known settings here: ${[...this.known].join(", ")}`,
      );
    }
  }

  string(key: string, opts: { default?: string; fix: string }): string {
    this.known.add(key);
    const v = this.raw[key];
    if (v === undefined || v === null || v === "") {
      if (opts.default !== undefined) return opts.default;
      this.problems.add(this.field(key), "is required but missing", opts.fix);
      return "";
    }
    if (typeof v !== "string") {
      this.problems.add(this.field(key), `must be a string, got ${describe(v)}`, opts.fix);
      return "";
    }
    return v.trim();
  }

  optionalString(key: string, fix: string): string | undefined {
    if (!this.has(key)) return undefined;
    return this.string(key, { fix }) || undefined;
  }

  /**
   * Integer within [min, max]; accepts integer-valued strings because `pulumi config set` stores
   * strings. Every number has an upper bound: a typo like 1e300 must not pass as a timeout.
   */
  integer(key: string, opts: { default?: number; min?: number; max: number; fix: string }): number {
    this.known.add(key);
    const v = this.raw[key];
    if (v === undefined || v === null) {
      if (opts.default !== undefined) return opts.default;
      this.problems.add(this.field(key), "is required but missing", opts.fix);
      return 0;
    }
    const n = typeof v === "string" && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
    const min = opts.min ?? 0;
    if (typeof n !== "number" || !Number.isInteger(n) || n < min) {
      this.problems.add(this.field(key), `must be an integer >= ${min}, got ${describe(v)}`, opts.fix);
      return opts.default ?? 0;
    }
    if (n > opts.max) {
      this.problems.add(this.field(key), `is ${n}, more than the maximum ${opts.max}`, opts.fix);
      return opts.default ?? opts.max;
    }
    return n;
  }

  boolean(key: string, opts: { default: boolean; fix: string }): boolean {
    this.known.add(key);
    const v = this.raw[key];
    if (v === undefined || v === null) return opts.default;
    if (v === true || v === "true") return true;
    if (v === false || v === "false") return false;
    this.problems.add(this.field(key), `must be true or false, got ${describe(v)}`, opts.fix);
    return opts.default;
  }

  stringArray(key: string, opts: { default: string[]; fix: string }): string[] {
    this.known.add(key);
    const v = this.raw[key];
    if (v === undefined || v === null) return opts.default;
    if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) {
      this.problems.add(this.field(key), `must be a list of strings, got ${describe(v)}`, opts.fix);
      return opts.default;
    }
    return v.map((x: string) => x.trim());
  }
}

export function asObject(
  problems: ProblemList,
  value: unknown,
  field: string,
  fix: string,
): Record<string, unknown> {
  if (value === undefined || value === null) {
    problems.add(field, "is required but missing", fix);
    return {};
  }
  if (typeof value !== "object" || Array.isArray(value)) {
    problems.add(field, `must be an object, got ${describe(value)}`, fix);
    return {};
  }
  return value as Record<string, unknown>;
}

export function describe(v: unknown): string {
  if (Array.isArray(v)) return "a list";
  if (v === null) return "null";
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "object") return "an object";
  return `${typeof v} ${String(v)}`;
}
