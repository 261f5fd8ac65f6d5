/**
 * Renders the stages' run record (records.jsonl) as Markdown for a change ticket:
 *   npm run record -- <records.jsonl> [--out record.md]
 */
import * as fs from "fs";
import type { StageRecord } from "../components/kube/runRecord";

export function renderRunRecord(records: StageRecord[]): string {
  const out = [
    "# ECS node operation: run record",
    "",
    "| node | stage | started | ended | outcome |",
    "| --- | --- | --- | --- | --- |",
  ];
  for (const r of records)
    out.push(`| ${r.node} | ${r.stage} | ${r.startedAt} | ${r.endedAt ?? ""} | ${r.outcome ?? "running"} |`);
  for (const r of records) {
    out.push("", `## ${r.node}: ${r.stage} (${r.outcome ?? "running"})`, "");
    if (r.error) out.push(`Error: ${r.error}`, "");
    for (const [k, v] of Object.entries(r.evidence)) out.push(`- **${k}**: \`${JSON.stringify(v)}\``);
  }
  return out.join("\n") + "\n";
}

if (require.main === module) {
  const [file] = process.argv.slice(2);
  if (!file) {
    console.error("usage: record <records.jsonl> [--out record.md]");
    process.exit(2);
  }
  const records = fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as StageRecord);
  const md = renderRunRecord(records);
  const i = process.argv.indexOf("--out");
  if (i > 0) fs.writeFileSync(process.argv[i + 1], md);
  process.stdout.write(md);
}
