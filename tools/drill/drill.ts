/**
 * A drill: the seed's HA test as one command. Preflight (read-only: the right cluster, healthy,
 * nothing pending, no server change under way), inject the fault, watch the cluster react, recover
 * through the stack (`pulumi up` of the chosen case), check it is green, and write a report with a
 * timeline picture. Ctrl-C (the signal) or a failed expectation while watching stops the watching
 * and goes straight to the recovery.
 */
import type { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import * as fs from "fs";
import * as path from "path";
import { sleep } from "../../components/cloudera/transport";
import { FINAL_GATE, gateProblems } from "../../components/health/checks";
import { SERVER_LOCK } from "../../components/kube/serverLock";
import { sshScript } from "../../components/kube/ssh";
import { internalIp } from "../../components/kube/identity";
import { parseRunRecord } from "../../components/kube/runRecord";
import { NodeObject, PodObject } from "../../components/kube/types";
import { machineStates, Nova } from "../../components/openstack/nova";
import { DrillCluster, openDrillCluster, stackMachines } from "./cluster";
import { derivedMarks, Mark, Sample, Sampler } from "./observe";
import { DrillRequest, RECOVERY } from "./plan";
import { evaluate, Expectation, Outcome, writeReport } from "./report";

export interface DrillOptions {
  request: DrillRequest;
  /** The project's stack, through the Automation API (the same backend and secrets as `pulumi`). */
  stack: Stack;
  /** kubectl binary for the drill's own reads (the stages find theirs on the Pulumi PATH). */
  kubectl: string;
  log: (message: string) => void;
  /** Aborts the watching (Ctrl-C): the drill stops injecting and recovers at once. */
  signal?: AbortSignal;
  /** Sampling interval (ms); default 1000. */
  sampleMs?: number;
}

export interface DrillResult {
  /** `dry-run`: nothing was touched. */
  outcome: "passed" | "failed" | "dry-run";
  reportDir?: string;
  reportFile?: string;
  svgFile?: string;
  expectations: Expectation[];
  marks: Mark[];
  samples: Sample[];
}

/** Refused before anything was touched: what was seen and how to proceed. */
export class DrillRefused extends Error {}

/** The stack change of the recovery: the node's evacuation and its generation bumped by one. */
export function recoveryChange(cluster: DrillCluster, request: DrillRequest) {
  const r = RECOVERY[request.recover];
  const entry = cluster.rawNodes[cluster.nodeIndex];
  const before = { evacuation: cluster.node.evacuation, [r.generation]: cluster.node[r.generation] };
  const after = { evacuation: r.evacuation, [r.generation]: cluster.node[r.generation] + 1 };
  const nodes = cluster.rawNodes.map((n) => (n === entry ? { ...n, ...after } : n));
  const text = Object.keys(after)
    .filter((k) => before[k] !== after[k as keyof typeof after])
    .map(
      (k) =>
        `ecs:nodes[${cluster.nodeIndex}].${k}: ${String(before[k])} -> ${String(after[k as keyof typeof after])}`,
    )
    .join(", ");
  return { nodes, text };
}

/** The node's membership delete since `since`, as the stage recorded it (the run record). */
function membershipDelete(stack: Stack, c: DrillCluster, since: number): Outcome["evacuated"] {
  const dir = path.resolve(stack.workspace.workDir, c.config.kubernetes.runRecordDir);
  const file = path.join(dir, "records.jsonl");
  if (!fs.existsSync(file)) return undefined;
  const entry = parseRunRecord(fs.readFileSync(file, "utf8"))
    .filter(
      (r) =>
        r.node === c.node.hostname && r.stage === "membership-delete" && Date.parse(r.startedAt) >= since,
    )
    .pop();
  return entry && { evacuation: entry.evidence.evacuation as string | undefined, outcome: entry.outcome };
}

/** What the cluster-wide health gate would find wrong now (one look; empty: green). */
async function finalGateProblems(c: DrillCluster): Promise<string[]> {
  return gateProblems(
    {
      nodes: c.kubectl.list<NodeObject>(["nodes"]),
      pods: c.kubectl.list<PodObject>(["pods", "--all-namespaces"]),
      cm: await c.cm.health(),
      machines: await machineStates(c.openstackAuth, c.machines),
      now: Date.now(),
    },
    c.config.nodes.map((n) => ({ hostname: n.hostname, role: n.role })),
    c.config.healthGate.stuckTerminatingSec,
    FINAL_GATE,
  );
}

/** Read-only checks; each refusal says what was seen and what to do. */
async function preflight(c: DrillCluster, request: DrillRequest, log: (m: string) => void): Promise<void> {
  const where = `stack ${c.stackName}`;
  if (!c.config.drills.allowed)
    throw new DrillRefused(
      `${where} does not allow drills (ecs:drills.allowed is not true): a drill stops a node of the cluster on purpose. ` +
        "Fix: on a cluster meant for it (test, staging, a maintenance window), `pulumi config set --path ecs:drills.allowed true`.",
    );
  if (!c.isLab && !request.yes && !request.dryRun)
    throw new DrillRefused(
      `${where} is not the embedded lab: a drill there needs an explicit confirmation. ` +
        "Fix: run it again with --yes (after --dry-run shows the plan).",
    );
  // The right cluster: the kubeconfig reaches the cluster the node's stages recorded, with the node at its IP.
  const ns = c.kubectl.get<{ metadata: { uid: string } }>("namespace", "kube-system");
  if (!ns)
    throw new DrillRefused(
      `the kubeconfig (${c.kubectl.kubeconfig}) reaches an API server without kube-system.`,
    );
  if (c.recordedKubeSystemUid && c.recordedKubeSystemUid !== ns.metadata.uid)
    throw new DrillRefused(
      `the kubeconfig (${c.kubectl.kubeconfig}) reaches another cluster: kube-system UID ${ns.metadata.uid}, ` +
        `but ${c.node.name}'s membership stage recorded ${c.recordedKubeSystemUid}. Nothing was touched. ` +
        "Fix: point ecs:kubernetes.kubeconfigPath (or ecs:kubeconfig) at this stack's cluster.",
    );
  const nodes = c.kubectl.list<NodeObject>(["nodes"]);
  const mine = nodes.find((n) => n.metadata.name === c.node.hostname);
  if (!mine || internalIp(mine) !== c.node.ip)
    throw new DrillRefused(
      `Node ${c.node.hostname} ${mine ? `has InternalIP ${internalIp(mine) ?? "none"}, configured ${c.node.ip}` : "is not in the cluster"}. ` +
        "Nothing was touched. Fix: drill a node that is in the cluster at its configured address.",
    );
  log(
    `preflight: the kubeconfig reaches ${where}'s cluster (kube-system ${ns.metadata.uid}), ${c.node.hostname} at ${c.node.ip}`,
  );

  // Healthy as the final gate means it, so the fault is the only thing wrong during the drill.
  const problems = await finalGateProblems(c);
  if (problems.length)
    throw new DrillRefused(
      `the cluster is not healthy, so a drill would not show what one fault does (and a second node out may be more ` +
        `than it affords):\n  - ${problems.join("\n  - ")}\nNothing was touched. Fix: repair it (pulumi up), then drill.`,
    );
  const lock = c.kubectl.get<{
    spec: { holderIdentity?: string };
    metadata: { annotations?: Record<string, string> };
  }>("lease", SERVER_LOCK.name, SERVER_LOCK.namespace);
  const lockState = lock?.metadata.annotations?.["ecs.cloudera.com/state"];
  if (lock && lockState !== "released")
    throw new DrillRefused(
      `a server change holds the cluster's server lock (${SERVER_LOCK.namespace}/${SERVER_LOCK.name}: ${lockState ?? "held"} by ` +
        `${lock.spec.holderIdentity ?? "?"}). Nothing was touched. Fix: let it finish (or repair it), then drill.`,
    );
  log(
    "preflight: healthy (every node Ready, CM GOOD and FRESH, every VM ACTIVE with its data volume); no server change under way",
  );

  if (request.fault === "kubelet-stop") {
    const script = `test -x ${c.ssh.rke2BinDir}/rke2-killall.sh`;
    const node = c.clusterNodes.find((n) => n.name === c.node.name)!;
    const r = sshScript(c.ssh, node, script, c.ssh.dialTimeoutSec * 2);
    if (r.status !== 0)
      throw new DrillRefused(
        `cannot inject kubelet-stop: SSH to ${c.node.name} (${c.node.ip}) with the stack's key and host key did not find ` +
          `${c.ssh.rke2BinDir}/rke2-killall.sh (exit ${r.status}: ${r.stderr.trim() || r.stdout.trim()}). Nothing was touched. ` +
          "Fix: check ecs:ssh, ecs:sshPrivateKey and the node's sshHostKey.",
      );
  }
}

/** Inject the fault through the stack's own credentials; returns what was done. */
async function inject(c: DrillCluster, request: DrillRequest): Promise<string> {
  const machine = c.machines.find((m) => m.name === c.node.name)!;
  if (request.fault === "power-off") {
    const nova = await Nova.connect(c.openstackAuth);
    const server = await nova.server(machine.instanceId);
    // The VM the stack holds for this node, and still this cluster's: checked just before the stop.
    if (
      !server ||
      server.metadata["ecs-cluster"] !== c.config.name ||
      server.metadata["ecs-hostname"] !== c.node.hostname
    )
      throw new DrillRefused(
        `Nova's server ${machine.instanceId} (the stack's VM of ${c.node.name}) is ${server ? `labelled ecs-cluster=${server.metadata["ecs-cluster"]}, ecs-hostname=${server.metadata["ecs-hostname"]}` : "not there"}; ` +
          "nothing was stopped. Fix: pulumi refresh, and check the stack's VM.",
      );
    await nova.stop(machine.instanceId);
    return `Nova stop of server ${machine.instanceId} (${c.node.name})`;
  }
  if (request.fault === "kubelet-stop") {
    const node = c.clusterNodes.find((n) => n.name === c.node.name)!;
    const r = sshScript(c.ssh, node, `${c.ssh.rke2BinDir}/rke2-killall.sh`, 300);
    if (r.status !== 0)
      throw new Error(
        `rke2-killall.sh on ${c.node.name} failed (exit ${r.status}): ${r.stderr.trim() || r.stdout.trim()}`,
      );
    return `rke2-killall.sh on ${c.node.name} over SSH (RKE2 and its kubelet stopped, the VM runs)`;
  }
  return "nothing (planned maintenance: the recovery's drain is the event)";
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Steps of the drilled node's chain and of the cluster's stages (CM refresh, health gate), as the engine starts them. */
function stageOf(e: EngineEvent, node: string, cluster: string): { op: string; name: string } | undefined {
  const m = e.resourcePreEvent?.metadata;
  // `replace` is the engine's bookkeeping between delete-replaced and create-replacement.
  if (!m || ["same", "read", "refresh", "replace"].includes(m.op)) return undefined;
  const name = m.urn.slice(m.urn.lastIndexOf("::") + 2);
  if (!name.startsWith(`${node}-`) && !name.startsWith(`${cluster}-`)) return undefined;
  return { op: m.op, name };
}

export async function runDrill(o: DrillOptions): Promise<DrillResult> {
  const { request, log } = o;
  const sampleMs = o.sampleMs ?? 1000;
  const say = (m: string) => log(`[drill ${request.node}] ${m}`);
  const c = await openDrillCluster(o.stack, request.node, { kubectl: o.kubectl });
  const recovery = RECOVERY[request.recover];
  const change = recoveryChange(c, request);
  say(
    `${c.node.role} ${c.node.hostname}; fault ${request.fault}; recovery ${request.recover} (${recovery.runbook})`,
  );
  await preflight(c, request, say);
  say("preflight: previewing the stack: the recovery must carry no other change");
  const pending = await o.stack.preview({ expectNoChanges: true }).then(
    () => undefined,
    (e: Error) => e.message,
  );
  if (pending !== undefined)
    throw new DrillRefused(
      `stack ${c.stackName} has changes not yet applied (pulumi preview found some), which the recovery's pulumi up would ` +
        `carry out too. Nothing was touched. Fix: pulumi up (or revert the config), then drill.\n${pending.slice(-1500)}`,
    );
  const grace = c.config.drills.nodeMonitorGracePeriodSec;
  if (request.dryRun) {
    say(
      [
        "dry run: nothing was touched. The drill would:",
        `  1. inject ${request.fault}: ${request.fault === "power-off" ? "Nova stop of the node's VM (os-stop)" : request.fault === "kubelet-stop" ? `${c.ssh.rke2BinDir}/rke2-killall.sh over SSH` : "nothing (planned maintenance)"}`,
        `  2. watch: NotReady within ${grace} s (ecs:drills.nodeMonitorGracePeriodSec), NoExecute taints, evictions after the pods' toleration, CM and Nova, the API server`,
        `  3. recover: ${change.text}, then pulumi up --stack ${c.stackName} (${recovery.runbook})`,
        "  4. check the cluster green (the health gate's checks) and write the report with its timeline",
      ].join("\n"),
    );
    return { outcome: "dry-run", expectations: [], marks: [], samples: [] };
  }

  const machine = c.machines.find((m) => m.name === c.node.name)!;
  const sampler = new Sampler(
    c.kubectl,
    c.cm,
    c.openstackAuth,
    machine,
    c.config.nodes.map((n) => n.hostname),
    c.config.nodes.filter((n) => n.role === "server").map((n) => n.hostname),
  );
  const samples: Sample[] = [];
  const marks: Mark[] = [];
  let sampling = true;
  const loop = (async () => {
    while (sampling) {
      const started = Date.now();
      samples.push(await sampler.sample());
      await sleep(Math.max(0, sampleMs - (Date.now() - started)));
    }
  })();
  const started = Date.now();
  let faultAt: number | undefined;
  let abortReason: string | undefined;
  let recoveryAt: number | undefined;
  let recoveryError: string | undefined;
  let greenAt: number | undefined;
  try {
    await sleep(3 * sampleMs); // a baseline before the fault
    if (o.signal?.aborted)
      throw new DrillRefused("aborted by the operator before the fault: nothing was touched.");
    if (request.fault !== "none") {
      const what = await inject(c, request);
      faultAt = Date.now();
      marks.push({ t: faultAt, kind: "fault", label: `fault: ${request.fault}` });
      say(`fault injected: ${what}`);
      abortReason = await watch(o, c, samples, faultAt, say);
      if (abortReason) {
        marks.push({ t: Date.now(), kind: "abort", label: "aborted" });
        say(`watching stopped: ${abortReason}; recovering now`);
      }
      // delete-node, force-delete-pods and auto act only on a node that no longer reports (the
      // membership stage refuses a live one): a drill stopped early waits for that first.
      if (recovery.evacuation !== "drain") await waitSilent(c, samples, faultAt, say);
    }
    // The recovery: the stack change a pull request would make, then pulumi up.
    say(`recovery: ${change.text}; pulumi up --stack ${c.stackName}`);
    await o.stack.setAllConfigJson(
      JSON.stringify({ "ecs:nodes": { value: JSON.stringify(change.nodes), objectValue: change.nodes } }),
    );
    recoveryAt = Date.now();
    marks.push({ t: recoveryAt, kind: "recovery-start", label: `pulumi up (${request.recover})` });
    try {
      await o.stack.up({
        onEvent: (e) => {
          const s = stageOf(e, c.node.name, c.config.name);
          if (!s) return;
          marks.push({ t: Date.now(), kind: "stage", label: `${s.op} ${s.name}` });
          say(`recovery: ${s.op} ${s.name} (${secs(Date.now() - recoveryAt!)} into the update)`);
        },
      });
    } catch (e) {
      recoveryError = updateErrors((e as Error).message);
      say(`recovery: pulumi up failed: ${recoveryError}`);
    }
    marks.push({
      t: Date.now(),
      kind: "recovery-end",
      label: recoveryError ? "pulumi up failed" : "pulumi up done",
    });
    // A rebuild gave the node a new VM: its id is in the state now.
    c.machines = (await stackMachines(o.stack, c.config)).machines;
    sampler.watchMachine(c.machines.find((m) => m.name === c.node.name)!);
    if (!recoveryError) {
      greenAt = await waitGreen(c, say);
      if (greenAt) marks.push({ t: greenAt, kind: "green", label: "healthy" });
    }
  } finally {
    await sleep(2 * sampleMs);
    sampling = false;
    await loop;
  }
  const all = [...marks, ...derivedMarks(samples, faultAt, recoveryAt)].sort((a, b) => a.t - b.t);
  const evacuated = recoveryAt !== undefined ? membershipDelete(o.stack, c, recoveryAt) : undefined;
  const expectations = evaluate({
    evacuated,
    request,
    grace,
    samples,
    marks: all,
    faultAt,
    recoveryAt,
    recoveryError,
    greenAt,
    aborted: abortReason,
  });
  const passed = expectations.every((e) => e.result !== "fail");
  const files = writeReport({
    request,
    cluster: c,
    change: change.text,
    started,
    samples,
    marks: all,
    expectations,
    passed,
    abortReason,
    recoveryError,
  });
  say(`${passed ? "PASSED" : "FAILED"}: report ${files.reportFile}, timeline ${files.svgFile}`);
  return { outcome: passed ? "passed" : "failed", ...files, expectations, marks: all, samples };
}

/**
 * Watches after the fault until the node is NotReady and its pods were evicted (or none tolerates
 * the taint for a finite time), or the time is up. Returns why it stopped early (the operator, or a
 * failed expectation: another node out, the API server gone), undefined when it saw what it waited for.
 */
async function watch(
  o: DrillOptions,
  c: DrillCluster,
  samples: Sample[],
  faultAt: number,
  say: (m: string) => void,
): Promise<string | undefined> {
  const grace = c.config.drills.nodeMonitorGracePeriodSec;
  let lastSay = 0;
  for (;;) {
    if (o.signal?.aborted) return "aborted by the operator (Ctrl-C)";
    await sleep(250);
    const after = samples.filter((s) => s.t >= faultAt);
    const last = after[after.length - 1];
    if (!last) continue;
    const other = after.find((s) => s.othersNotReady.length > 0);
    if (other) return `expectation failed: another node is not Ready (${other.othersNotReady.join(", ")})`;
    const down = after.filter((s) => !s.api.ok);
    if (down.length && down[down.length - 1].t - down[0].t > 10_000 && !last.api.ok)
      return `expectation failed: the API server has not answered for ${secs(last.t - down[0].t)} (${last.api.error ?? ""})`;
    const notReady = after.find((s) => s.api.ok && s.node.ready !== "True");
    const tolerations = after.map((s) => s.pods.tolerationSec).filter((t): t is number => t !== undefined);
    const tolerationSec = tolerations.length ? Math.min(...tolerations) : undefined;
    const evicted = after.some(
      (s) => s.pods.firstDeletedAt !== undefined && s.pods.firstDeletedAt >= faultAt - 1000,
    );
    if (notReady && (evicted || tolerationSec === undefined)) {
      // A few more samples, so the picture shows the state the eviction left.
      await sleep(3000);
      return undefined;
    }
    const limitMs = (grace + (tolerationSec ?? 300) + 60) * 1000;
    const elapsed = Date.now() - faultAt;
    if (elapsed > limitMs)
      return `the time is up (${secs(limitMs)}) before ${notReady ? "any pod was evicted" : "the node went NotReady"}`;
    if (Date.now() - lastSay > 5000) {
      lastSay = Date.now();
      say(
        `watching (${secs(elapsed)} after the fault): ${notReady ? `NotReady since ${secs(notReady.t - faultAt)}; waiting for the evictions (toleration ${tolerationSec ?? "?"} s) ` : `Node ${last.node.ready}, lease ${last.node.leaseAgeSec?.toFixed(0) ?? "?"} s old; waiting for NotReady (grace ${grace} s)`}; ${last.pods.terminating} pod(s) Terminating, CM host ${last.cm.host ?? last.cm.error ?? "?"}, VM ${last.vm.status ?? last.vm.error ?? "?"}`,
      );
    }
  }
}

/** The error lines of a failed update (the Automation API's message carries its whole output). */
export function updateErrors(message: string): string {
  const lines = message
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.startsWith("error:"));
  const unique = [...new Set(lines)];
  return unique.length ? unique.join(" ").slice(0, 2000) : message.slice(-800);
}

/** Waits (bounded) until the node no longer reports: NotReady by the controller's word. */
async function waitSilent(
  c: DrillCluster,
  samples: Sample[],
  faultAt: number,
  say: (m: string) => void,
): Promise<void> {
  const limit = faultAt + (c.config.drills.nodeMonitorGracePeriodSec + 30) * 1000;
  while (Date.now() < limit) {
    const last = samples[samples.length - 1];
    if (last && last.t > faultAt && last.api.ok && last.node.ready !== "True") return;
    say(
      `waiting for ${c.node.name} to turn NotReady before the recovery (its evacuation acts only on a silent node)`,
    );
    await sleep(2000);
  }
}

/** The final gate's checks, polled until green or the gate's timeout; the time it turned green. */
async function waitGreen(c: DrillCluster, say: (m: string) => void): Promise<number | undefined> {
  const until = Date.now() + c.config.healthGate.timeoutSec * 1000;
  let problems: string[] = [];
  let lastSay = 0;
  while (Date.now() < until) {
    try {
      problems = await finalGateProblems(c);
    } catch (e) {
      problems = [(e as Error).message];
    }
    if (problems.length === 0) {
      say("green: every node Ready, CM GOOD and FRESH, every VM ACTIVE with its data volume");
      return Date.now();
    }
    if (Date.now() - lastSay > 10_000) {
      lastSay = Date.now();
      say(`waiting for green: ${problems.slice(0, 3).join("; ")}`);
    }
    await sleep(1000);
  }
  say(`not green after ${c.config.healthGate.timeoutSec} s: ${problems.join("; ")}`);
  return undefined;
}
