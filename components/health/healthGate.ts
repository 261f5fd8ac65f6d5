/**
 * The health gate. Cluster-wide, run by the cluster's `command` resource after any node change
 * (after the CM refresh); or between nodes of a roll (ECS_GATE_NODE), run by each node's gate
 * resource after its chain. Polls Kubernetes, Cloudera Manager and Nova until the cluster is
 * healthy, or fails the update with what is still wrong when the time is up. Progress goes to
 * stderr; the cluster-wide gate's stdout carries only the run record of the change (JSON), which
 * becomes a stack output.
 */
import * as fs from "fs";
import * as path from "path";
import { CmClient } from "../cloudera/client";
import { CmOperations } from "../cloudera/operations";
import { sleep } from "../cloudera/transport";
import { assertCompiledCurrent } from "../compiledProgram";
import { kubeconfigPath, pollUntil, stdinSecrets } from "../kube/context";
import { Kubectl } from "../kube/kubectl";
import { packRunRecord, parseRunRecord, RunRecord, StageRecord } from "../kube/runRecord";
import { ClusterFacts } from "../kube/stageEnv";
import { NodeObject, PodObject } from "../kube/types";
import { OpenStackAuth } from "../openstack/auth";
import { machineStates, NodeMachine } from "../openstack/nova";
import { ExpectedNode, FINAL_GATE, gateProblems, GateScope, GateSnapshot } from "./checks";

const GATE_STAGE = "health-gate";
/** The run record's stage name of the gate between nodes of a roll. */
export const NODE_GATE_STAGE = "node-gate";
/** A passed node gate's stdout: the node's chain (membership id) it passed for. */
const PASSED_FOR = "passed-for=";

function required(key: string): string {
  const v = process.env[key];
  if (!v)
    throw new Error(`${key} is not set. Fix: the health gate sets it; run it through the Pulumi program.`);
  return v;
}

/** Records of this change: everything after the previous gate's entry. */
function recordsOfThisChange(dir: string | undefined): StageRecord[] {
  const file = dir && path.join(dir, "records.jsonl");
  if (!file || !fs.existsSync(file)) return [];
  const all = parseRunRecord(fs.readFileSync(file, "utf8"));
  return all.slice(all.map((r) => r.stage).lastIndexOf(GATE_STAGE) + 1);
}

/** The gate between nodes of a roll (ECS_GATE_NODE set), or the cluster-wide gate after the change. */
interface GateMode {
  stage: string;
  label: string;
  expected: ExpectedNode[];
  scope: GateScope;
  pauseSec: number;
}

function gateMode(facts: ClusterFacts): GateMode {
  const all: ExpectedNode[] = facts.nodes.map((n) => ({ hostname: n.hostname, role: n.role }));
  const node = process.env.ECS_GATE_NODE;
  if (!node)
    return {
      stage: GATE_STAGE,
      label: "[cluster] health gate",
      expected: all,
      scope: FINAL_GATE,
      pauseSec: 0,
    };
  // This node and every node done before it are held to the full check; an agent rolling in
  // another lane may be out; any other node that is in the cluster must be Ready.
  const strict = new Set<string>(JSON.parse(required("ECS_GATE_EXPECT")) as string[]);
  const alongside = new Set<string>(JSON.parse(process.env.ECS_GATE_ALONGSIDE || "[]") as string[]);
  return {
    stage: NODE_GATE_STAGE,
    label: `[${node}] gate before the next node`,
    expected: all.filter((e) => strict.has(e.hostname)),
    scope: {
      others: all.filter((e) => !strict.has(e.hostname) && !alongside.has(e.hostname)),
      alongside: [...alongside],
      fresh: false,
    },
    pauseSec: Number(process.env.ECS_GATE_PAUSE ?? 0),
  };
}

async function main(): Promise<void> {
  assertCompiledCurrent();
  const facts = JSON.parse(required("ECS_CLUSTER")) as ClusterFacts;
  const mode = gateMode(facts);
  const log = (m: string) => console.error(`${mode.label}: ${m}`);
  // A node gate runs again on any change of its inputs (another node's host key, the pause, the
  // order). It gates the node's chain: when that has not run since the gate passed, there is
  // nothing to gate, and a check (and pause) would only hold up an unrelated change.
  const passedFor = process.env.PULUMI_COMMAND_STDOUT?.split("\n").find((l) => l.startsWith(PASSED_FOR));
  if (mode.stage === NODE_GATE_STAGE && passedFor === `${PASSED_FOR}${process.env.ECS_GATE_AFTER ?? ""}`) {
    log(`the node's chain has not run since this gate passed for it (${passedFor}): nothing to check`);
    process.stdout.write(`${passedFor}\n`);
    return;
  }
  const { expected } = mode;
  const machines = JSON.parse(required("ECS_GATE_MACHINES")) as NodeMachine[];
  const secrets = stdinSecrets();
  if (!secrets.openstackAuth || !secrets.cmPassword)
    throw new Error("the health gate got no credentials on stdin. Fix: run it through the Pulumi program.");
  const auth: OpenStackAuth = secrets.openstackAuth;
  const timeoutSec = Number(process.env.ECS_GATE_TIMEOUT ?? 900);
  const stuckSec = Number(process.env.ECS_GATE_STUCK_TERMINATING ?? 300);
  const pollMs = Number(process.env.ECS_POLL_MS ?? 1000);
  const recordDir = process.env.ECS_RUN_RECORD_DIR || undefined;
  const change = recordsOfThisChange(recordDir);
  const record = new RunRecord(recordDir, process.env.ECS_GATE_NODE ?? "cluster", mode.stage);
  const kubectl = new Kubectl(kubeconfigPath(process.env, secrets));
  // Logs go to stderr: stdout is the run record.
  const client = await CmClient.connect({
    baseUrl: required("ECS_CM_URL"),
    username: required("ECS_CM_USERNAME"),
    password: secrets.cmPassword,
    caBundle: secrets.cmCaBundle || undefined,
    insecureSkipTlsVerify: process.env.ECS_CM_INSECURE === "true",
    logger: { info: log, warn: log },
  });
  const cm = new CmOperations(client, required("ECS_CM_CLUSTER"));

  let problems: string[] = [];
  let snapshot: GateSnapshot | undefined;
  // A Kubernetes or CM call that fails is tried again until the time is up, then reported.
  const failures: { last?: string } = {};
  /** One look at the cluster: `true` when healthy. */
  const look = async () => {
    snapshot = {
      nodes: kubectl.list<NodeObject>(["nodes"]),
      pods: kubectl.list<PodObject>(["pods", "--all-namespaces"]),
      cm: await cm.health(),
      machines: await machineStates(auth, machines),
      now: Date.now(),
    };
    problems = gateProblems(snapshot, expected, stuckSec, mode.scope);
    return problems.length === 0 ? true : undefined;
  };
  const check = () =>
    pollUntil(
      timeoutSec,
      pollMs,
      look,
      (elapsed, error) =>
        log(
          error
            ? `waiting (${elapsed.toFixed(0)}s); the cluster could not be read: ${error}`
            : `waiting (${elapsed.toFixed(0)}s) for: ${problems.slice(0, 5).join("; ")}${problems.length > 5 ? ` (+${problems.length - 5} more)` : ""}`,
        ),
      failures,
    );
  if ((await check()) && mode.pauseSec > 0) {
    // A soak: the cluster has to stay healthy through the pause; the first problem fails the gate.
    log(`healthy; watching it for ${mode.pauseSec}s (ecs:rollout.pauseSec) before the next node`);
    const until = Date.now() + mode.pauseSec * 1000;
    while (problems.length === 0 && Date.now() < until) {
      await sleep(Math.min(pollMs, Math.max(0, until - Date.now())));
      try {
        await look();
      } catch (e) {
        failures.last = (e as Error).message;
        break;
      }
    }
    if (problems.length) problems = problems.map((p) => `${p} (during the pause)`);
  }
  if (failures.last) problems = [`the cluster could not be read: ${failures.last}`];
  if (!snapshot)
    throw new Error(`the health gate could not read the cluster: ${failures.last ?? "no answer"}`);

  record.note(
    "nodes",
    expected.map((e) => e.hostname),
  );
  record.note("pods", snapshot.pods.length);
  record.note(
    "cm",
    snapshot.cm.services.map((s) => `${s.name}: ${s.health ?? "?"}/${s.staleness ?? "?"}`),
  );
  if (problems.length > 0) {
    record.note("problems", problems);
    const next = process.env.ECS_GATE_NODE
      ? "The roll stops here: nodes after this one are untouched. Fix what is listed (see README, " +
        "Troubleshooting), then run pulumi up again: the gate re-checks and the roll resumes."
      : "Fix what is listed (see README, Troubleshooting), then run pulumi up again: the gate re-checks.";
    const message = `the cluster is not healthy ${timeoutSec}s after the change:\n  - ${problems.join("\n  - ")}\n${next}`;
    record.finish("failed", message);
    throw new Error(message);
  }
  record.finish("succeeded");
  if (process.env.ECS_GATE_NODE) {
    log(
      `healthy: ${expected.length} node(s) done and Ready, the others Ready, CM services GOOD (or an agent of another lane out), no failed or stuck pods; the next node may start`,
    );
    // What the next update's run compares (PULUMI_COMMAND_STDOUT): the chain this gate passed for.
    process.stdout.write(`${PASSED_FOR}${process.env.ECS_GATE_AFTER ?? ""}\n`);
    return;
  }
  log(
    `healthy: ${expected.length} nodes Ready, no failed or stuck pods, CM services GOOD and FRESH, every VM ACTIVE with its data volume`,
  );
  process.stdout.write(packRunRecord([...change, record.entry]) + "\n");
}

main().catch((e: Error) => {
  console.error(`error: ${e.message}`);
  process.exit(1);
});
