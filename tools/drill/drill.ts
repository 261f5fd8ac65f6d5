/**
 * A drill: the seed's HA test as one command. Preflight (read-only: the right cluster, healthy,
 * nothing pending, no server change under way), inject the fault, watch the cluster react, recover
 * through the stack (`pulumi up` of the chosen case), check it is green, and write a report with a
 * timeline picture. Ctrl-C (the signal) or a failed expectation while watching stops the watching
 * and goes straight to the recovery.
 */
import type { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { sleep } from "../../components/cloudera/transport";
import { FINAL_GATE, gateProblems } from "../../components/health/checks";
import { isAlreadyExists } from "../../components/kube/kubectl";
import { SERVER_LOCK } from "../../components/kube/serverLock";
import { sshScriptAsync } from "../../components/kube/ssh";
import { StageContext } from "../../components/kube/context";
import { internalIp, proveCluster, recordedIdentity } from "../../components/kube/identity";
import { parseRunRecord } from "../../components/kube/runRecord";
import { NodeObject, PodObject } from "../../components/kube/types";
import { machineStates, Nova } from "../../components/openstack/nova";
import { DrillCluster, openDrillCluster, stackMachines } from "./cluster";
import { derivedMarks, longestApiGapSec, Mark, Sample, Sampler } from "./observe";
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
  /** `incomplete`: no expectation failed, but some were not reached (the drill was stopped early). `dry-run`: nothing was touched. */
  outcome: "passed" | "failed" | "incomplete" | "dry-run";
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
  // The right cluster, proven as the membership stage proves it before it changes anything.
  const recorded = recordedIdentity(c.membershipStdout);
  if (!recorded)
    throw new DrillRefused(
      `${c.node.name}'s membership stage has recorded no cluster identity, so the drill cannot prove that the kubeconfig ` +
        `reaches this stack's cluster. Nothing was touched. Fix: pulumi up --stack ${c.stackName} once (the stages record it).`,
    );
  const shim = {
    kubectl: c.kubectl,
    previousStdout: c.membershipStdout,
    cluster: { name: c.config.name, nodes: c.clusterNodes, serverLockTimeoutSec: 0 },
    record: { note: () => undefined },
  } as unknown as StageContext;
  let nodes: NodeObject[];
  try {
    nodes = proveCluster(shim).nodes;
  } catch (e) {
    throw new DrillRefused((e as Error).message);
  }
  const mine = nodes.find((n) => n.metadata.name === c.node.hostname);
  if (!mine || internalIp(mine) !== c.node.ip)
    throw new DrillRefused(
      `Node ${c.node.hostname} ${mine ? `has InternalIP ${internalIp(mine) ?? "none"}, configured ${c.node.ip}` : "is not in the cluster"}. ` +
        "Nothing was touched. Fix: drill a node that is in the cluster at its configured address.",
    );
  if (c.node.role === "server" && c.apiServerHosts.every((h) => h === c.node.ip))
    throw new DrillRefused(
      `the kubeconfig reaches the API server only through ${c.node.name} (${c.node.ip}), the server this drill stops: ` +
        "the drill and the recovery's stages would lose the cluster with it. Nothing was touched. " +
        "Fix: point the kubeconfig at the cluster's API address (a VIP or load balancer) or at another server.",
    );
  log(
    `preflight: the kubeconfig reaches ${where}'s cluster (kube-system ${recorded.kubeSystemUid}, as recorded), ${c.node.hostname} at ${c.node.ip}`,
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
    const r = await sshScriptAsync(c.ssh, node, script, c.ssh.dialTimeoutSec * 2);
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
    const r = await sshScriptAsync(c.ssh, node, `${c.ssh.rke2BinDir}/rke2-killall.sh`, 300);
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

/** One drill at a time per cluster: a Lease taken with create (fails when another drill holds it). */
const DRILL_LEASE = { namespace: "kube-system", name: "ecs-drill" };

function takeDrillLease(c: DrillCluster, request: DrillRequest): void {
  const holder = `${os.hostname()}/${process.pid}: ${request.stack}/${request.node} ${request.fault} ${request.recover}`;
  const body = JSON.stringify({
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: { ...DRILL_LEASE },
    spec: { holderIdentity: holder, acquireTime: new Date().toISOString().replace(/\.(\d{3})Z$/, ".$1000Z") },
  });
  const r = c.kubectl.run(["create", "-f", "-", "-o", "name"], { input: body });
  if (r.status === 0) return;
  if (isAlreadyExists(r.stderr)) {
    const held = c.kubectl.get<{ spec: { holderIdentity?: string; acquireTime?: string } }>(
      "lease",
      DRILL_LEASE.name,
      DRILL_LEASE.namespace,
    );
    throw new DrillRefused(
      `another drill holds this cluster (Lease ${DRILL_LEASE.namespace}/${DRILL_LEASE.name}: ${held?.spec.holderIdentity ?? "?"} ` +
        `since ${held?.spec.acquireTime ?? "?"}). Nothing was touched. Fix: let it finish; if that process is gone, ` +
        `check the cluster is healthy and delete the Lease (kubectl -n ${DRILL_LEASE.namespace} delete lease ${DRILL_LEASE.name}).`,
    );
  }
  throw new DrillRefused(`cannot take the drill Lease: ${r.stderr.trim()}. Nothing was touched.`);
}

function releaseDrillLease(c: DrillCluster): void {
  c.kubectl.run(["delete", "lease", DRILL_LEASE.name, "-n", DRILL_LEASE.namespace, "--ignore-not-found"]);
}

/** Everything up to the fault: reads only (and the drill Lease). Any failure here touched nothing. */
async function prepare(o: DrillOptions, say: (m: string) => void): Promise<DrillCluster> {
  const { request } = o;
  try {
    const c = await openDrillCluster(o.stack, request.node, { kubectl: o.kubectl });
    say(
      `${c.node.role} ${c.node.hostname}; fault ${request.fault}; recovery ${request.recover} (${RECOVERY[request.recover].runbook})`,
    );
    await preflight(c, request, say);
    say("preflight: previewing the stack: the recovery must carry no other change");
    const pending = await o.stack.preview({ expectNoChanges: true }).then(
      () => undefined,
      (e: Error) => e.message,
    );
    if (o.signal?.aborted)
      throw new DrillRefused("aborted by the operator before the fault: nothing was touched.");
    if (pending !== undefined)
      throw new DrillRefused(
        `stack ${c.stackName} has changes not yet applied (pulumi preview found some), which the recovery's pulumi up would ` +
          `carry out too. Nothing was touched. Fix: pulumi up (or revert the config), then drill.\n${updateErrors(pending)}`,
      );
    return c;
  } catch (e) {
    // Bad input or a refusal: nothing was touched (exit 2).
    throw e instanceof DrillRefused ? e : new DrillRefused((e as Error).message);
  }
}

export async function runDrill(o: DrillOptions): Promise<DrillResult> {
  const { request, log } = o;
  const sampleMs = o.sampleMs ?? 1000;
  const say = (m: string) => log(`[drill ${request.node}] ${m}`);
  const c = await prepare(o, say);
  const recovery = RECOVERY[request.recover];
  const change = recoveryChange(c, request);
  const grace = c.config.drills.nodeMonitorGracePeriodSec;
  if (request.dryRun) {
    say(
      [
        "dry run: nothing was touched. The drill would:",
        `  1. inject ${request.fault}: ${request.fault === "power-off" ? "Nova stop of the node's VM (os-stop)" : request.fault === "kubelet-stop" ? `${c.ssh.rke2BinDir}/rke2-killall.sh over SSH` : "nothing (planned maintenance)"}`,
        `  2. watch: NotReady within ${grace} s (ecs:drills.nodeMonitorGracePeriodSec), NoExecute taints, evictions after the pods' toleration, CM and Nova, the API server`,
        `  3. recover: ${change.text}, then pulumi up --stack ${c.stackName} (${recovery.runbook})`,
        "  4. check the cluster green (the health gate's checks), set the node's evacuation back, write the report",
      ].join("\n"),
    );
    return { outcome: "dry-run", expectations: [], marks: [], samples: [] };
  }
  takeDrillLease(c, request);

  const sampler = new Sampler(
    c.kubectl,
    c.cm,
    c.openstackAuth,
    c.machines.find((m) => m.name === c.node.name)!,
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
  })().catch((e: Error) => say(`sampling stopped: ${e.message}`));
  const started = Date.now();
  const run: Run = {};
  try {
    await sleep(3 * sampleMs); // a baseline before the fault
    // Healthy now, not only at the preflight (a preview can take minutes), and still wanted.
    const problems = await finalGateProblems(c);
    if (problems.length)
      throw new DrillRefused(
        `the cluster turned unhealthy before the fault:\n  - ${problems.join("\n  - ")}\nNothing was touched.`,
      );
    if (o.signal?.aborted)
      throw new DrillRefused("aborted by the operator before the fault: nothing was touched.");
    await faultAndRecover(o, c, samples, marks, sampler, run, say);
  } finally {
    await sleep(2 * sampleMs);
    sampling = false;
    await loop;
    releaseDrillLease(c);
  }
  const all = [...marks, ...derivedMarks(samples, run.faultAt, run.recoveryAt)].sort((a, b) => a.t - b.t);
  const expectations = evaluate({
    evacuated: run.recoveryAt !== undefined ? membershipDelete(o.stack, c, run.recoveryAt) : undefined,
    request,
    grace,
    samples,
    marks: all,
    ...run,
  });
  const outcome = expectations.some((e) => e.result === "fail")
    ? "failed"
    : expectations.some((e) => e.result === "not reached")
      ? "incomplete"
      : "passed";
  const files = writeReport({
    request,
    cluster: c,
    change: change.text,
    started,
    samples,
    marks: all,
    expectations,
    outcome,
    abortReason: run.aborted ?? run.timedOut,
    recoveryError: run.recoveryError,
    restored: run.restored,
  });
  say(`${outcome.toUpperCase()}: report ${files.reportFile}, timeline ${files.svgFile}`);
  return { outcome, ...files, expectations, marks: all, samples };
}

/** What happened from the fault on (times in ms since epoch). */
interface Run {
  faultAt?: number;
  /** Why the watching stopped early on purpose (the operator, a failed expectation, a failed injection). */
  aborted?: string;
  /** The watching ran out of time before it saw what it waited for: a failure of the cluster. */
  timedOut?: string;
  recoveryAt?: number;
  recoveryError?: string;
  greenAt?: number;
  /** How the node's evacuation setting was put back after the drill. */
  restored?: string;
}

/**
 * The fault, the watching and the recovery. Once the fault may have acted, every path ends in a
 * recovery attempt (or says why the stack was left alone) and a report: nothing here throws past
 * the recovery.
 */
async function faultAndRecover(
  o: DrillOptions,
  c: DrillCluster,
  samples: Sample[],
  marks: Mark[],
  sampler: Sampler,
  run: Run,
  say: (m: string) => void,
): Promise<void> {
  const { request } = o;
  const recovery = RECOVERY[request.recover];
  const change = recoveryChange(c, request);
  if (request.fault !== "none") {
    run.faultAt = Date.now();
    marks.push({ t: run.faultAt, kind: "fault", label: `fault: ${request.fault}` });
    try {
      say(`fault injected: ${await inject(c, request)}`);
      const stop = await watch(o, c, samples, run.faultAt, say);
      if (stop?.timedOut) run.timedOut = stop.reason;
      else if (stop) run.aborted = stop.reason;
    } catch (e) {
      // Refused before acting (the VM's labels): nothing to recover.
      if (e instanceof DrillRefused) throw e;
      run.aborted = `the fault injection failed: ${(e as Error).message}`;
    }
    if (run.aborted || run.timedOut) {
      marks.push({ t: Date.now(), kind: "abort", label: "watching stopped" });
      say(`watching stopped: ${run.aborted ?? run.timedOut}; recovering now`);
    }
    // delete-node, force-delete-pods and auto act only on a node that no longer reports (the
    // membership stage refuses a live one): a drill stopped early waits for that first.
    if (recovery.evacuation !== "drain" && !(await waitSilent(c, samples, run.faultAt, say))) {
      run.recoveryError =
        `${c.node.name} still reports (Ready) ${secs(Date.now() - run.faultAt)} after the fault, so ${recovery.evacuation} ` +
        `would be refused: the stack was not changed. Fix: see whether the fault took (the VM, RKE2 on the node); ` +
        `bring the node back or choose a recovery yourself.`;
      say(run.recoveryError);
      return;
    }
  }
  say(`recovery: ${change.text}; pulumi up --stack ${c.stackName}`);
  run.recoveryAt = Date.now();
  marks.push({ t: run.recoveryAt, kind: "recovery-start", label: `pulumi up (${request.recover})` });
  try {
    await setNodes(o.stack, change.nodes);
    await o.stack.up({
      onEvent: (e) => {
        const s = stageOf(e, c.node.name, c.config.name);
        if (!s) return;
        marks.push({ t: Date.now(), kind: "stage", label: `${s.op} ${s.name}` });
        say(`recovery: ${s.op} ${s.name} (${secs(Date.now() - run.recoveryAt!)} into the update)`);
      },
    });
  } catch (e) {
    run.recoveryError = updateErrors((e as Error).message);
    say(
      `recovery: pulumi up failed: ${run.recoveryError}. Fix what it names, then pulumi up --stack ${c.stackName}.`,
    );
  }
  marks.push({
    t: Date.now(),
    kind: "recovery-end",
    label: run.recoveryError ? "pulumi up failed" : "pulumi up done",
  });
  if (run.recoveryError) return;
  try {
    // A rebuild gave the node a new VM: its id is in the state now.
    c.machines = (await stackMachines(o.stack, c.config)).machines;
    sampler.watchMachine(c.machines.find((m) => m.name === c.node.name)!);
  } catch (e) {
    say(`cannot read the node's new VM from the state: ${(e as Error).message}`);
  }
  run.greenAt = await waitGreen(c, say);
  if (run.greenAt === undefined) return;
  marks.push({ t: run.greenAt, kind: "green", label: "healthy" });
  run.restored = await restoreEvacuation(o, c, change.nodes, say);
}

/** Writes `ecs:nodes` as a whole (the way the tests and `pulumi config set-all` do). */
function setNodes(stack: Stack, nodes: Array<Record<string, unknown>>): Promise<void> {
  return stack.setAllConfigJson(
    JSON.stringify({ "ecs:nodes": { value: JSON.stringify(nodes), objectValue: nodes } }),
  );
}

/**
 * Puts the node's evacuation back as it was: left at delete-node or force-delete-pods, the node's
 * next planned rebuild would be refused (live node) or skip the drain. An update in place only
 * (the evacuation intent and the membership's stored setting); the generation bump stays.
 */
async function restoreEvacuation(
  o: DrillOptions,
  c: DrillCluster,
  nodes: Array<Record<string, unknown>>,
  say: (m: string) => void,
): Promise<string> {
  const was = c.node.evacuation;
  if (RECOVERY[o.request.recover].evacuation === was) return `evacuation stays ${was}`;
  const back = nodes.map((n, i) => (i === c.nodeIndex ? { ...n, evacuation: was } : n));
  say(`setting ${c.node.name}'s evacuation back to ${was} (pulumi up: in-place updates only)`);
  try {
    await setNodes(o.stack, back);
    await o.stack.up({});
    return `ecs:nodes[${c.nodeIndex}].evacuation set back to ${was} (pulumi up done)`;
  } catch (e) {
    const error = updateErrors((e as Error).message);
    say(`setting the evacuation back failed: ${error}`);
    return `setting ecs:nodes[${c.nodeIndex}].evacuation back to ${was} failed (${error}); run pulumi up --stack ${c.stackName}`;
  }
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
): Promise<{ reason: string; timedOut?: boolean } | undefined> {
  const grace = c.config.drills.nodeMonitorGracePeriodSec;
  let lastSay = 0;
  for (;;) {
    if (o.signal?.aborted) return { reason: "aborted by the operator (Ctrl-C)" };
    await sleep(250);
    const after = samples.filter((s) => s.t >= faultAt);
    const last = after[after.length - 1];
    if (!last) continue;
    const other = after.find((s) => s.othersNotReady.length > 0);
    if (other)
      return { reason: `expectation failed: another node is not Ready (${other.othersNotReady.join(", ")})` };
    const gap = longestApiGapSec(after);
    if (gap > 10)
      return {
        reason: `expectation failed: the API server did not answer for ${gap.toFixed(1)} s (${last.api.error ?? ""})`,
      };
    const notReady = after.find((s) => s.api.ok && s.node.ready !== "True");
    const tolerations = after.map((s) => s.pods.tolerationSec).filter((t): t is number => t !== undefined);
    const tolerationSec = tolerations.length ? Math.min(...tolerations) : undefined;
    const evicted = after.some((s) => s.pods.deletedAt.some((t) => t >= faultAt - 1000));
    if (notReady && (evicted || tolerationSec === undefined)) {
      // A few more samples, so the picture shows the state the eviction left.
      await sleep(3000);
      return undefined;
    }
    const limitMs = (grace + (tolerationSec ?? 300) + 60) * 1000;
    const elapsed = Date.now() - faultAt;
    if (elapsed > limitMs)
      return {
        timedOut: true,
        reason: `the time is up (${secs(limitMs)}) before ${notReady ? "any pod was evicted" : "the node went NotReady"}`,
      };
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

/** Waits (bounded) until the node no longer reports: NotReady by the controller's word. False: it still does. */
async function waitSilent(
  c: DrillCluster,
  samples: Sample[],
  faultAt: number,
  say: (m: string) => void,
): Promise<boolean> {
  const limit = faultAt + (c.config.drills.nodeMonitorGracePeriodSec + 30) * 1000;
  let lastSay = 0;
  for (;;) {
    const last = samples[samples.length - 1];
    if (last && last.t > faultAt && last.api.ok && last.node.ready !== "True") return true;
    if (Date.now() > limit) return false;
    if (Date.now() - lastSay > 5000) {
      lastSay = Date.now();
      say(
        `waiting for ${c.node.name} to turn NotReady before the recovery (its evacuation acts only on a silent node)`,
      );
    }
    await sleep(500);
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
