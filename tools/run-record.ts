/**
 * Renders the stages' run record as Markdown for a change ticket, from records.jsonl (every
 * change) or from the stack output of the last change (`pulumi stack output runRecord --json`):
 *   npm run record -- <records.jsonl | runRecord.json> [--out record.md]
 */
import * as fs from "fs";
import { parseRunRecord, type StageRecord } from "../components/kube/runRecord";

/** Each stage in the words of the seed runbook (`ecs-ha-failure-domain-testing.md`). */
const RUNBOOK: Record<string, string> = {
  "membership-intent": "record the evacuation mode on the Node",
  "membership-delete":
    "stage 2: evacuate the node (its case); server: etcd snapshot, remove the etcd member; delete the Node",
  "cm-role-delete": "stage 2: stop and delete the ECS (and Docker) role in CM, refresh",
  "vm-power-off":
    "stage 1: shut the node down (Nova stop, SHUTOFF confirmed) before its data volume is detached",
  "cm-host-delete": "stage 2: remove the host from the cluster, delete it from CM",
  "vm-rebuild":
    "stage 3: data volume detached from the stopped VM, the VM deleted and created again in Nova (same port and IP), the volume attached again",
  "cm-host-create": "stage 3: the node's CM agent heartbeats; add the host to the cluster",
  "vm-power-on": "stage 3: the node's VM runs (started again if it was left off)",
  "cm-role-create": "stage 3: add the ECS role and start it",
  "cm-refresh": "stage 3: refresh ECS (clears the outdated configuration)",
  "membership-create": "stage 3: node Ready (server: etcd voter), uncordoned",
  "node-gate": "gate before the next node: this node and those before it healthy, the others Ready",
  "health-gate": "confirm all nodes Ready, pods green, ECS service without alerts",
};

/**
 * The VM itself is replaced by the OpenStack provider, which writes no record; a CM host deleted
 * for one instance and created for another shows it happened in between (runbook step 3.1).
 */
function withVmRebuilds(records: StageRecord[]): StageRecord[] {
  const out: StageRecord[] = [];
  const lastDelete = new Map<string, StageRecord>();
  for (const r of records) {
    const before = lastDelete.get(r.node);
    const created = r.evidence.instanceId;
    if (r.stage === "cm-host-create" && before && created && before.evidence.instanceId !== created) {
      out.push({
        node: r.node,
        stage: "vm-rebuild",
        startedAt: before.endedAt ?? before.startedAt,
        endedAt: r.startedAt,
        outcome: "succeeded",
        evidence: { oldInstanceId: before.evidence.instanceId, newInstanceId: created },
      });
    }
    if (r.stage === "cm-host-delete") lastDelete.set(r.node, r);
    out.push(r);
  }
  return out;
}

export function renderRunRecord(input: StageRecord[]): string {
  // Entries are appended when a stage ends; read them in the order the stages started.
  const records = withVmRebuilds([...input].sort((a, b) => a.startedAt.localeCompare(b.startedAt)));
  const out = [
    "# ECS node operation: run record",
    "",
    "| started | ended | node | runbook step | stage | outcome |",
    "| --- | --- | --- | --- | --- | --- |",
  ];
  for (const r of records)
    out.push(
      `| ${r.startedAt} | ${r.endedAt ?? ""} | ${r.node} | ${RUNBOOK[r.stage] ?? ""} | ${r.stage} | ${r.outcome ?? "running"} |`,
    );
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
    console.error("usage: record <records.jsonl | runRecord.json> [--out record.md]");
    process.exit(2);
  }
  const md = renderRunRecord(parseRunRecord(fs.readFileSync(file, "utf8")));
  const i = process.argv.indexOf("--out");
  if (i > 0) fs.writeFileSync(process.argv[i + 1], md);
  process.stdout.write(md);
}
