import { ProblemList } from "./errors";

/** Typed readers over untyped config objects; each records a problem instead of throwing. */
export class RawReader {
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
    return this.raw[key] !== undefined && this.raw[key] !== null;
  }

  string(key: string, opts: { default?: string; fix: string }): string {
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

  /** Non-negative integer; accepts integer-valued strings because `pulumi config set` stores strings. */
  integer(key: string, opts: { default?: number; min?: number; fix: string }): number {
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
    return n;
  }

  boolean(key: string, opts: { default: boolean; fix: string }): boolean {
    const v = this.raw[key];
    if (v === undefined || v === null) return opts.default;
    if (v === true || v === "true") return true;
    if (v === false || v === "false") return false;
    this.problems.add(this.field(key), `must be true or false, got ${describe(v)}`, opts.fix);
    return opts.default;
  }

  stringArray(key: string, opts: { default: string[]; fix: string }): string[] {
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
