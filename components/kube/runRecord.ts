import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";

/** One stage's entry in the run record an operator attaches to a change ticket. */
export interface StageRecord {
  node: string;
  stage: string;
  startedAt: string;
  endedAt?: string;
  outcome?: "succeeded" | "failed";
  /** What the stage saw and decided: evidence, chosen case, blockers, etcd members before/after. */
  evidence: Record<string, unknown>;
  error?: string;
}

/**
 * What could carry a credential in text the stages did not write themselves (kubectl's, CM's and
 * Nova's error messages): replaced before a record is written. The record is also a plain stack
 * output, so it must hold nothing secret.
 */
const SECRET_TEXT: ReadonlyArray<[RegExp, string]> = [
  [
    /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
    "[redacted private key]",
  ],
  [/\b(password|passwd|pwd|secret|token)(["']?\s*[=:]\s*["']?)[^\s"',}]+/gi, "$1$2[redacted]"],
  [/\b(authorization|x-auth-token|x-subject-token)(\s*:\s*)(basic |bearer )?[^\s"',}]+/gi, "$1$2[redacted]"],
  [/(https?:\/\/)[^/\s:@]+:[^/\s@]+@/gi, "$1[redacted]@"],
];

export function redact(text: string): string {
  return SECRET_TEXT.reduce((t, [pattern, replacement]) => t.replace(pattern, replacement), text);
}

/** Every string inside a value, redacted. */
function redacted<T>(value: T): T {
  if (typeof value === "string") return redact(value) as T;
  if (Array.isArray(value)) return value.map(redacted) as T;
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        /password|secret|token|privatekey/i.test(k) ? "[redacted]" : redacted(v),
      ]),
    ) as T;
  return value;
}

/** Appends stage records as JSON lines to <dir>/records.jsonl (no-op without a directory). */
export class RunRecord {
  readonly entry: StageRecord;

  constructor(
    private readonly dir: string | undefined,
    node: string,
    stage: string,
  ) {
    this.entry = { node, stage, startedAt: new Date().toISOString(), evidence: {} };
  }

  note(key: string, value: unknown): void {
    this.entry.evidence[key] = redacted(value);
  }

  finish(outcome: "succeeded" | "failed", error?: string): void {
    this.entry.endedAt = new Date().toISOString();
    this.entry.outcome = outcome;
    if (error) this.entry.error = redact(error);
    if (!this.dir) return;
    fs.mkdirSync(this.dir, { recursive: true });
    fs.appendFileSync(path.join(this.dir, "records.jsonl"), JSON.stringify(this.entry) + "\n");
  }
}

/** Parses records.jsonl (JSON lines) or the stack output `runRecord` (one JSON array). */
export function parseRunRecord(text: string): StageRecord[] {
  const trimmed = text.trim();
  if (trimmed.startsWith("[")) return JSON.parse(trimmed) as StageRecord[];
  return trimmed
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as StageRecord);
}

/**
 * The gate's stdout carries the change's records back into the stack (output `runRecord`); the
 * command provider hands it to the next gate run in an environment variable, which Linux caps at
 * 128 KiB. Compressed (gzip, base64), a record many times that size still fits.
 */
const PACKED = "ecs-run-record-gz:";

export function packRunRecord(records: StageRecord[]): string {
  return PACKED + zlib.gzipSync(JSON.stringify(records)).toString("base64");
}

/** The records from the gate's stdout: packed, plain JSON (older gates), or none (a preview). */
export function unpackRunRecord(stdout: string | undefined): StageRecord[] {
  const text = (stdout ?? "").trim();
  if (text.startsWith(PACKED))
    return JSON.parse(zlib.gunzipSync(Buffer.from(text.slice(PACKED.length), "base64")).toString("utf8"));
  return text.startsWith("[") ? (JSON.parse(text) as StageRecord[]) : [];
}
