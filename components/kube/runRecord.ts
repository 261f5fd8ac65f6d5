import * as fs from "fs";
import * as path from "path";

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
    this.entry.evidence[key] = value;
  }

  finish(outcome: "succeeded" | "failed", error?: string): void {
    this.entry.endedAt = new Date().toISOString();
    this.entry.outcome = outcome;
    if (error) this.entry.error = error;
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
