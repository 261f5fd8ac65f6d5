import * as assert from "assert";
import { spawn } from "child_process";
import { randomUUID } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startEcsLab, type EcsLab } from "../../lab/ecs";
import { ETCD_FINALIZER } from "../../lab/ecs/rke2";
import type { ServerEvent } from "../../lab/openstack/hooks";
import { DEFAULT_TIMINGS } from "../../lab/kube/timings";
import { DrillRefused, runDrill } from "../../tools/drill/drill";
import type { DrillRequest } from "../../tools/drill/plan";
import { copyProgram } from "../../tools/programCopy";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import type { StageRecord } from "../../components/kube/runRecord";
import { CM_PASSWORD, LabStackConfig, LabView, OS_PASSWORD } from "../support/e2eLab";
import { EngineStack, openStack, StepEvent, stepRecorder } from "../support/engine";

const DOMAIN = "ecs.openstack.com";
const ETCD_REMOVED = "etcd.rke2.cattle.io/removed-node-name";
const ETCD_REMOVE = "etcd.rke2.cattle.io/remove";

interface NodeJson {
  metadata: {
    name: string;
    uid: string;
    annotations?: Record<string, string>;
    finalizers?: string[];
    deletionTimestamp?: string;
  };
  spec: { unschedulable?: boolean };
  status: { conditions: Array<{ type: string; status: string }> };
}

interface PodJson {
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    deletionTimestamp?: string;
    ownerReferences?: Array<{ kind: string; name: string }>;
  };
  spec: { nodeName?: string };
  status?: { phase?: string };
}

interface RecordLine extends StageRecord {
  // The evidence is free-form JSON by design (runRecord.ts).
  evidence: Record<string, unknown> & {
    evacuation?: string;
    etcdRemovedMember?: string;
    strippedFinalizers?: string[];
    finalizerCleanUp?: { removedObjects: string[]; nodeHosts: string[] };
    forceDeletedPods?: string[];
    nodeAlreadyGone?: boolean;
    evidence?: { nodeExists: boolean };
    etcdMembersAfter?: Array<{ node: string; ready: boolean; voter: string }>;
  };
}

const host = (name: string) => `${name}.${DOMAIN}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const condition = (n: NodeJson | undefined, type: string) =>
  n?.status.conditions.find((c) => c.type === type)?.status;
const secs = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/** The runbook's chain for one node, in the order the engine must start its steps. */
const CHAIN = (node: string) => [
  `delete-replaced ${node}-k8s-membership`,
  `delete-replaced ${node}-cm-role`,
  `delete-replaced ${node}-power`,
  `delete-replaced ${node}-cm-host`,
  `delete-replaced ${node}-data-attach`,
  `delete-replaced ${node}-vm`,
  `create-replacement ${node}-vm`,
  `create-replacement ${node}-data-attach`,
  `create-replacement ${node}-cm-host`,
  `create-replacement ${node}-power`,
  `create-replacement ${node}-cm-role`,
  `create-replacement ${node}-k8s-membership`,
];

function assertInOrder(steps: StepEvent[], expected: string[]): void {
  const order = steps.map((s) => `${s.op} ${s.name}`);
  const at = (s: string) => {
    const i = order.indexOf(s);
    assert.ok(i >= 0, `missing step ${s} in:\n${order.join("\n")}`);
    return i;
  };
  for (let i = 1; i < expected.length; i++)
    assert.ok(
      at(expected[i - 1]) < at(expected[i]),
      `${expected[i - 1]} before ${expected[i]}:\n${order.join("\n")}`,
    );
}

/**
 * Processes of one CLI run, found by a marker in their environment (every process the CLI starts,
 * directly or through a plugin, inherits it): only processes this test started.
 */
function markedProcesses(marker: string): Array<{ pid: number; cmd: string }> {
  const found: Array<{ pid: number; cmd: string }> = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = fs.readFileSync(`/proc/${entry}/environ`, "latin1").split("\0");
      if (!environ.includes(`ECS_E2E_RUN=${marker}`)) continue;
      const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, "latin1").split("\0").join(" ").trim();
      found.push({ pid: Number(entry), cmd: cmd.length > 160 ? `${cmd.slice(0, 157)}...` : cmd });
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

function killAll(procs: Array<{ pid: number }>): void {
  for (const p of procs) {
    try {
      process.kill(p.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/**
 * Failure cases of issue 7 end to end on the lab (real program, engine, providers, kubectl):
 * a server whose etcd finalizer hangs, the runbook's case 2 on a crashed agent, and an update
 * killed in the middle of a node's chain and re-run.
 */
describe("e2e on the lab: failure cases (finalizer hang, case 2, killed update)", function () {
  this.timeout(30 * 60_000);
  let lab: EcsLab;
  let env: EngineStack;
  let records: string;
  let tmp: string;
  let failed = false;
  const osEvents: ServerEvent[] = [];
  const markers: string[] = [];

  const kubectlJson = async <T>(args: string[]) => lab.kube.kubectl.json<T>(["get", ...args]);
  /** The object, or undefined when the API server says NotFound. */
  const getOrNone = async <T>(args: string[]): Promise<T | undefined> => {
    const r = await lab.kube.kubectl.run(["get", ...args, "-o", "json"]);
    if (r.code === 0) return JSON.parse(r.stdout) as T;
    if (/NotFound|not found/.test(r.stderr)) return undefined;
    throw new Error(`kubectl get ${args.join(" ")}: ${r.stderr}`);
  };
  const view = new LabView(
    () => lab,
    () => records,
  );
  const readyNodes = () => view.readyNodes();
  const allHostnames = () => lab.nodes.map((n) => n.hostname).sort();
  const podsOn = async (hostname: string) =>
    (
      await kubectlJson<{ items: PodJson[] }>([
        "pods",
        "--all-namespaces",
        "--field-selector",
        `spec.nodeName=${hostname}`,
      ])
    ).items;

  const config = new LabStackConfig(
    () => lab,
    () => records,
  );
  const stackConfig = () => config.full();
  const setNode = (name: string, fields: Record<string, unknown>) => config.setNode(env, name, fields);

  const vmsNamed = (name: string) => lab.openstack.snapshot().servers.filter((s) => s.name === name);
  const vmOf = (name: string) => view.vmOf(name);
  const cmHostsOf = (hostname: string) => view.cmHostsOf(hostname);
  const cmRolesOf = (hostname: string) => view.cmRolesOf(hostname);
  const recordsOf = (hostname: string, stage: string) => view.recordsOf<RecordLine>(hostname, stage);
  const waitUntil = async <T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>) => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = await check();
      if (v !== undefined) return v;
      if (Date.now() > end) assert.fail(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
      await sleep(500);
    }
  };
  /** Three etcd members, all voters, as the lab's RKE2 and the server Nodes tell it. */
  const assertEtcdHealthy = async () => {
    assert.deepStrictEqual(
      [...lab.rke2.members.entries()].sort(),
      ["ds01", "ds02", "ds03"].map((n) => [host(n), "voter"]),
    );
    const servers = (
      await kubectlJson<{ items: NodeJson[] }>(["nodes", "-l", "node-role.kubernetes.io/etcd=true"])
    ).items;
    assert.deepStrictEqual(
      servers.map((n) => [n.metadata.name, condition(n, "Ready"), condition(n, "EtcdIsVoter")]).sort(),
      ["ds01", "ds02", "ds03"].map((n) => [host(n), "True", "True"]),
    );
  };

  before(async () => {
    const started = Date.now();
    failed = true; // until the cluster is up
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ecs-e2e-failures-"));
    lab = await startEcsLab({
      dir: path.join(tmp, "lab"),
      openstackPassword: OS_PASSWORD,
      cmPassword: CM_PASSWORD,
      log: (m) => console.log(`  [lab] ${m}`),
    });
    lab.openstack.hooks.onServer((e) => osEvents.push(e));
    const program = copyProgram(path.join(tmp, "program"));
    records = path.join(tmp, "records");

    // As the README tells users: the stages take Nova credentials from the stack's openstack:* settings.
    env = await openStack(program, "lab");
    await env.stack.setAllConfigJson(JSON.stringify(stackConfig()));
    const res = await env.stack.up({ onOutput: () => undefined });
    assert.strictEqual(res.summary.result, "succeeded");
    assert.deepStrictEqual(await readyNodes(), allHostnames());
    failed = false;
    console.log(`  [timing] lab + six-node pulumi up: ${secs(started)}`);
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed") failed = true;
  });

  after(async () => {
    // A failed kill scenario must not leave its CLI's processes behind.
    for (const m of markers) killAll(markedProcesses(m));
    await env?.dispose();
    await lab?.stop();
    // Lab logs and run records are kept for a failed run only.
    if (failed) console.log(`  lab and run records kept in ${tmp}`);
    else if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("server whose etcd finalizer hangs: member removed the RKE2 way, finalizer stripped only with that proof, its clean-up done by hand and recorded", async () => {
    const started = Date.now();
    const ds02 = host("ds02");
    // What RKE2 keeps per node and its finalizer would clean up (the lab has neither): the
    // node-password secret and the node's line in CoreDNS NodeHosts.
    const nodeHosts = lab.nodes.map((n) => `${n.ip} ${n.hostname}`).join("\n");
    await lab.kube.kubectl.ok(["apply", "-f", "-"], {
      input: JSON.stringify({
        apiVersion: "v1",
        kind: "List",
        items: [
          ...lab.nodes.map((n) => ({
            apiVersion: "v1",
            kind: "Secret",
            metadata: { name: `${n.hostname}.node-password.rke2`, namespace: "kube-system" },
            type: "Opaque",
            stringData: { hash: "$1:lab:node-password-hash" },
          })),
          {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: "coredns", namespace: "kube-system" },
            data: { NodeHosts: nodeHosts },
          },
        ],
      }),
    });
    const oldNode = await kubectlJson<NodeJson>(["node", ds02]);
    const oldVm = vmOf("ds02");
    lab.rke2.hangFinalizer.add(ds02);

    // Watch ds02's Node through the update: when the member was removed, when deletion began,
    // whether the etcd finalizer held it, and when it was gone.
    const seen: Array<{
      at: number;
      uid?: string;
      removed?: string;
      deleting: boolean;
      finalizers: string[];
    }> = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const n = await getOrNone<NodeJson>(["node", ds02]).catch(() => undefined);
        seen.push({
          at: Date.now(),
          uid: n?.metadata.uid,
          removed: n?.metadata.annotations?.[ETCD_REMOVED],
          deleting: !!n?.metadata.deletionTimestamp,
          finalizers: n?.metadata.finalizers ?? [],
        });
        await sleep(400);
      }
    })();

    await setNode("ds02", { rebuild: 1, evacuation: "drain" });
    const rec = stepRecorder();
    let res;
    try {
      res = await env.stack.up({ onEvent: rec.onEvent });
    } finally {
      watching = false;
      await watcher;
      lab.rke2.hangFinalizer.delete(ds02);
    }
    assert.strictEqual(res.summary.result, "succeeded");
    assertInOrder(rec.steps, CHAIN("ds02"));
    assert.ok(
      !rec.steps.some((s) => /^ds0[13456]-(vm|cm-|k8s)/.test(s.name)),
      "no other node's chain touched",
    );

    // Order, as Kubernetes showed it: removed-node-name, then Terminating held by the etcd
    // finalizer, then gone; only then the new Node.
    const old = seen.filter((s) => s.uid === oldNode.metadata.uid);
    const firstRemoved = old.findIndex((s) => s.removed);
    const firstDeleting = old.findIndex((s) => s.deleting);
    assert.ok(firstRemoved >= 0, "removed-node-name seen on the old Node");
    assert.ok(firstDeleting >= 0, "old Node seen Terminating");
    assert.ok(old[firstRemoved].at <= old[firstDeleting].at, "member removed before the Node was deleted");
    const hung = old.filter((s) => s.deleting && s.finalizers.includes(ETCD_FINALIZER));
    assert.ok(hung.length > 0, "the etcd finalizer held the Node");
    const hungFor = hung[hung.length - 1].at - hung[0].at;
    assert.ok(hungFor >= 10_000, `Node hung Terminating for ${hungFor} ms before the stage acted`);
    const gone = seen.findIndex((s, i) => i > seen.indexOf(hung[hung.length - 1]) && s.uid === undefined);
    assert.ok(gone >= 0, "old Node disappeared");
    assert.ok(
      seen.slice(gone).every((s) => s.uid !== oldNode.metadata.uid),
      "old Node never came back once gone",
    );

    const leave = recordsOf(ds02, "membership-delete").pop();
    assert.strictEqual(leave?.outcome, "succeeded", leave?.error);
    assert.strictEqual(leave.evidence.evacuation, "drain");
    assert.match(String(leave.evidence.etcdRemovedMember), new RegExp(`^${ds02.replace(/\./g, "\\.")}-`));
    assert.deepStrictEqual(leave.evidence.strippedFinalizers, [ETCD_FINALIZER]);
    assert.deepStrictEqual(leave.evidence.finalizerCleanUp, {
      removedObjects: [`kube-system/${ds02}.node-password.rke2`],
      nodeHosts: ["kube-system/coredns"],
    });

    // The finalizer's clean-up, done by hand: ds02's secret and NodeHosts line, nobody else's.
    assert.strictEqual(
      await getOrNone(["secret", "-n", "kube-system", `${ds02}.node-password.rke2`]),
      undefined,
    );
    for (const n of lab.nodes.filter((x) => x.hostname !== ds02))
      assert.ok(await getOrNone(["secret", "-n", "kube-system", `${n.hostname}.node-password.rke2`]), n.name);
    const coredns = await kubectlJson<{ data: { NodeHosts: string } }>([
      "configmap",
      "-n",
      "kube-system",
      "coredns",
    ]);
    assert.deepStrictEqual(
      coredns.data.NodeHosts.split("\n"),
      lab.nodes.filter((n) => n.hostname !== ds02).map((n) => `${n.ip} ${n.hostname}`),
    );

    // Converged: new VM, new Node Ready and a voter, three healthy members.
    assert.notStrictEqual(vmOf("ds02").id, oldVm.id);
    const newNode = await kubectlJson<NodeJson>(["node", ds02]);
    assert.notStrictEqual(newNode.metadata.uid, oldNode.metadata.uid, "a new Node object");
    assert.strictEqual(condition(newNode, "Ready"), "True");
    assert.strictEqual(condition(newNode, "EtcdIsVoter"), "True");
    assert.ok(!newNode.metadata.annotations?.[ETCD_REMOVE], "the new Node carries no remove annotation");
    assert.ok(!newNode.spec.unschedulable, "uncordoned");
    await assertEtcdHealthy();
    assert.deepStrictEqual(await readyNodes(), allHostnames());
    console.log(
      `  [timing] finalizer hang (ds02): ${secs(started)}, Node hung ${(hungFor / 1000).toFixed(1)} s`,
    );
  });

  it("case 2: a crashed agent's pods are force-deleted (force-delete-pods), recorded by name, the Node deleted, then rebuilt", async () => {
    const started = Date.now();
    const ds05 = host("ds05");
    // Workloads on ds05: a StatefulSet pinned there (its pod on a dead node is never replaced
    // until force-deleted: the reason for case 2) and a Deployment that prefers it.
    const podSpec = {
      containers: [{ name: "app", image: "registry.lab/app:1" }],
      automountServiceAccountToken: false,
    };
    await lab.kube.kubectl.ok(["apply", "-f", "-"], {
      input: JSON.stringify({
        apiVersion: "v1",
        kind: "List",
        items: [
          { apiVersion: "v1", kind: "Namespace", metadata: { name: "case2" } },
          {
            apiVersion: "apps/v1",
            kind: "StatefulSet",
            metadata: { name: "pinned", namespace: "case2" },
            spec: {
              serviceName: "pinned",
              replicas: 1,
              selector: { matchLabels: { app: "pinned" } },
              template: {
                metadata: { labels: { app: "pinned" } },
                spec: { ...podSpec, nodeSelector: { "kubernetes.io/hostname": ds05 } },
              },
            },
          },
          {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: "mover", namespace: "case2" },
            spec: {
              replicas: 2,
              selector: { matchLabels: { app: "mover" } },
              template: {
                metadata: { labels: { app: "mover" } },
                spec: {
                  ...podSpec,
                  affinity: {
                    nodeAffinity: {
                      preferredDuringSchedulingIgnoredDuringExecution: [
                        {
                          weight: 100,
                          preference: {
                            matchExpressions: [
                              { key: "kubernetes.io/hostname", operator: "In", values: [ds05] },
                            ],
                          },
                        },
                      ],
                    },
                  },
                },
              },
            },
          },
        ],
      }),
    });
    for (const w of ["statefulset/pinned", "deployment/mover"])
      await lab.kube.kubectl.ok(["rollout", "status", "-n", "case2", w, "--timeout=120s"]);
    const oldNode = await kubectlJson<NodeJson>(["node", ds05]);
    const oldVm = vmOf("ds05");

    lab.openstack.faults.crashServer(oldVm.id);
    await waitUntil("ds05 NotReady", 60_000, async () =>
      condition(await kubectlJson<NodeJson>(["node", ds05]), "Ready") !== "True" ? true : undefined,
    );
    // After the lab's 10 s toleration the taint manager evicts: pods Terminating, never confirmed.
    const before = await waitUntil("ds05's pods Terminating", 90_000, async () => {
      const pods = await podsOn(ds05);
      const evictable = pods.filter((p) => !p.metadata.ownerReferences?.some((o) => o.kind === "DaemonSet"));
      return evictable.length > 0 && evictable.every((p) => p.metadata.deletionTimestamp) ? pods : undefined;
    });
    const pinned = before.find((p) => p.metadata.namespace === "case2" && p.metadata.name === "pinned-0");
    assert.ok(pinned?.metadata.deletionTimestamp, "pinned-0 is on ds05 and Terminating");
    console.log(
      `  [case 2] on ds05 before the update: ${before.map((p) => `${p.metadata.namespace}/${p.metadata.name}`).join(", ")}`,
    );

    await setNode("ds05", { rebuild: 1, evacuation: "force-delete-pods" });
    const rec = stepRecorder();
    const res = await env.stack.up({ onEvent: rec.onEvent });
    assert.strictEqual(res.summary.result, "succeeded");
    assertInOrder(rec.steps, CHAIN("ds05"));

    const leave = recordsOf(ds05, "membership-delete").pop();
    assert.strictEqual(leave?.outcome, "succeeded", leave?.error);
    assert.strictEqual(leave.evidence.evacuation, "force-delete-pods");
    const forced = leave.evidence.forceDeletedPods ?? [];
    // Every pod bound to ds05 was force-deleted and is named in the record (DaemonSet pods
    // included: they tolerate the taints, so they were still there).
    for (const p of before) {
      const key = `${p.metadata.namespace}/${p.metadata.name}`;
      assert.ok(forced.includes(key), `${key} force-deleted; record lists ${forced.join(", ")}`);
    }
    const now = (await kubectlJson<{ items: PodJson[] }>(["pods", "--all-namespaces"])).items;
    const uids = new Set(now.map((p) => p.metadata.uid));
    for (const p of before) assert.ok(!uids.has(p.metadata.uid), `${p.metadata.name} (old uid) is gone`);
    // Recreated by their controllers: elsewhere, pending, or back on the rebuilt ds05.
    const pinnedNow = now.find((p) => p.metadata.namespace === "case2" && p.metadata.name === "pinned-0");
    assert.ok(pinnedNow, "pinned-0 recreated");
    assert.ok(
      pinnedNow.spec.nodeName === undefined || pinnedNow.spec.nodeName === ds05,
      `pinned-0 pending or on the new ds05 (${pinnedNow.spec.nodeName})`,
    );
    assert.strictEqual(
      now.filter((p) => p.metadata.namespace === "case2" && p.metadata.name.startsWith("mover-")).length,
      2,
    );

    // The Node was deleted (a new object registered), the VM rebuilt, the cluster whole.
    const newNode = await kubectlJson<NodeJson>(["node", ds05]);
    assert.notStrictEqual(
      newNode.metadata.uid,
      oldNode.metadata.uid,
      "old Node deleted, a new one registered",
    );
    assert.notStrictEqual(vmOf("ds05").id, oldVm.id);
    assert.deepStrictEqual(await readyNodes(), allHostnames());
    await lab.kube.kubectl.ok(["delete", "namespace", "case2", "--wait=false"]);
    console.log(`  [timing] case 2 (ds05): ${secs(started)}`);
  });

  it("an update killed mid-chain (CM role delete in progress) is re-run after `pulumi cancel` and converges, nothing removed twice", async () => {
    const started = Date.now();
    const ds06 = host("ds06");
    const oldVm = vmOf("ds06");
    const oldHost = cmHostsOf(ds06)[0];
    const ecsRole = cmRolesOf(ds06).find((r) => r.type === "ECS_AGENT")!;
    const dockerRole = cmRolesOf(ds06).find((r) => r.type === "DOCKER_SERVER")!;
    const cmFrom = lab.cm.exchanges.length;
    const osFrom = osEvents.length;

    await setNode("ds06", { rebuild: 1, evacuation: "drain" });
    const marker = randomUUID();
    markers.push(marker);
    const eventLog = path.join(env.tmp, "killed-up.events.jsonl");
    const inv = env.cliInvocation(["up", "--yes", "--skip-preview", "--event-log", eventLog]);
    let output = "";
    // Its own process group, like a CI job's shell; the marker finds every process it starts.
    const cli = spawn(inv.file, inv.args, {
      cwd: inv.cwd,
      env: { ...inv.env, ECS_E2E_RUN: marker },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    cli.stdout.on("data", (d: Buffer) => (output += d.toString()));
    cli.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const exited = new Promise<NodeJS.Signals | number | null>((r) =>
      cli.on("exit", (code, signal) => r(signal ?? code)),
    );

    // The engine's events as the CLI appends them to its event log, read incrementally.
    type LoggedEvent = EngineEvent & { resOutputsEvent?: { metadata: { op: string; urn: string } } };
    const logged: LoggedEvent[] = [];
    let offset = 0;
    let partial = "";
    const readEvents = () => {
      if (!fs.existsSync(eventLog)) return;
      const fd = fs.openSync(eventLog, "r");
      try {
        const buf = Buffer.alloc(1 << 16);
        for (let n; (n = fs.readSync(fd, buf, 0, buf.length, offset)) > 0; offset += n)
          partial += buf.toString("utf8", 0, n);
      } finally {
        fs.closeSync(fd);
      }
      const lines = partial.split("\n");
      partial = lines.pop() ?? "";
      for (const l of lines) if (l.trim()) logged.push(JSON.parse(l) as LoggedEvent);
    };
    // The kill point: ds06's membership delete has completed (drained, Node deleted) and CM has
    // just been asked to stop its ECS role, i.e. the role stage's delete is in flight (it next
    // waits on the stop command, polling every 2 s, before deleting the role).
    const membershipDone = () =>
      logged.some(
        (e) =>
          e.resOutputsEvent?.metadata.op === "delete-replaced" &&
          e.resOutputsEvent.metadata.urn.endsWith("::ds06-k8s-membership"),
      );
    const stopAsked = () =>
      lab.cm.exchanges
        .slice(cmFrom)
        .some(
          (x) =>
            x.method === "POST" &&
            x.path.endsWith("/roleCommands/stop") &&
            ((x.requestBody as { items?: string[] })?.items ?? []).includes(ecsRole.name),
        );
    const deadline = Date.now() + 300_000;
    for (;;) {
      if (cli.exitCode !== null) assert.fail(`pulumi up ended before the kill point:\n${output}`);
      if (Date.now() > deadline) assert.fail(`kill point not reached in 300 s:\n${output}`);
      if (!membershipDone()) readEvents();
      else if (stopAsked()) break;
      await sleep(50);
    }
    // A crashed CI runner takes down the CLI and everything it started at once. Plugins run in
    // process groups of their own (the engine's setpgid), so killing the CLI's group alone would
    // leave the dynamic provider host finishing the CM call (see README, Troubleshooting).
    const tree = markedProcesses(marker);
    process.kill(-cli.pid!, "SIGKILL");
    killAll(tree);
    assert.strictEqual(await exited, "SIGKILL");
    const killedAt = Date.now();
    console.log(`  [kill] at ${secs(started)}: SIGKILL to the CLI's process group and its plugins:`);
    for (const p of tree) console.log(`    ${p.pid} ${p.cmd}`);
    killAll(markedProcesses(marker));
    await waitUntil("the killed run's processes to exit", 10_000, async () =>
      markedProcesses(marker).length === 0 ? true : undefined,
    );

    // What the killed run left: the membership stage done, the role delete interrupted.
    readEvents();
    const killedSteps = stepRecorder();
    logged.forEach(killedSteps.onEvent);
    assert.deepStrictEqual(
      killedSteps.steps.filter((x) => x.name.startsWith("ds06-")).map((x) => `${x.op} ${x.name}`),
      CHAIN("ds06").slice(0, 2),
    );
    assert.strictEqual(recordsOf(ds06, "membership-delete").length, 1);
    assert.strictEqual(recordsOf(ds06, "membership-delete")[0].outcome, "succeeded");
    assert.strictEqual(vmOf("ds06").id, oldVm.id, "VM not yet deleted");
    await sleep(1000); // the stop command CM had accepted finishes on its own
    assert.ok(lab.cm.state.roles.has(ecsRole.name), "ECS role not yet deleted");

    // A plain re-run refuses: the file backend's lock of the killed update is still there.
    await assert.rejects(env.stack.up(), (e: Error) => {
      assert.match(e.message, /the stack is currently locked by 1 lock\(s\)/);
      assert.match(e.message, /pulumi cancel/);
      return true;
    });
    const exported = JSON.parse(env.cli(["stack", "export"])) as {
      deployment: { pending_operations?: Array<{ type: string; resource: { urn: string } }> };
    };
    assert.deepStrictEqual(
      (exported.deployment.pending_operations ?? []).map((o) => [o.type, o.resource.urn.replace(/.*::/, "")]),
      [["deleting", "ds06-cm-role"]],
    );
    // The operator's recovery, after making sure the killed update is not running anywhere
    // (the lock names its host and pid): drop the stale lock, then run the same update again.
    env.cli(["cancel", "--yes"]);
    const rec = stepRecorder();
    let rerunOutput = "";
    const res = await env.stack.up({ onEvent: rec.onEvent, onOutput: (o) => (rerunOutput += o) });
    assert.strictEqual(res.summary.result, "succeeded");
    assert.match(rerunOutput, /1 pending operations from previous deployment/);
    assert.match(rerunOutput, /ds06-cm-role, interrupted while deleting/);
    const stageLines = rerunOutput.match(new RegExp(`\\[${ds06}\\] membership [^\\n]*`, "g")) ?? [];
    for (const line of new Set(stageLines)) console.log(`  [re-run] ${line}`);
    // The re-run goes through the whole chain again: the engine (v3.248) deletes every
    // delete-before-replace dependent again, even the membership the killed run had already
    // deleted (pending replacement in state). Its delete half finds the Node gone and does nothing.
    assertInOrder(rec.steps, CHAIN("ds06"));
    const after = JSON.parse(env.cli(["stack", "export"])) as {
      deployment: { pending_operations?: unknown[] };
    };
    assert.deepStrictEqual(after.deployment.pending_operations ?? [], [], "no pending operations left");

    // Converged: one VM, one CM host with one ECS role, the Node Ready; six Ready nodes.
    assert.deepStrictEqual(await readyNodes(), allHostnames());
    assert.strictEqual(vmsNamed("ds06").length, 1, "exactly one VM named ds06");
    assert.notStrictEqual(vmOf("ds06").id, oldVm.id);
    assert.strictEqual(vmOf("ds06").status, "ACTIVE");
    assert.strictEqual(cmHostsOf(ds06).length, 1, "one CM host for ds06");
    assert.notStrictEqual(cmHostsOf(ds06)[0].hostId, oldHost.hostId, "a new CM host");
    const roles = cmRolesOf(ds06);
    assert.deepStrictEqual(roles.map((r) => [r.type, r.state]).sort(), [
      ["DOCKER_SERVER", "STARTED"],
      ["ECS_AGENT", "STARTED"],
    ]);

    // Nothing removed twice, by the simulators' own logs.
    const cm = lab.cm.exchanges.slice(cmFrom);
    const count = (method: string, re: RegExp, body?: (b: unknown) => boolean) =>
      cm.filter((x) => x.method === method && re.test(x.path) && (!body || body(x.requestBody))).length;
    const names = (b: unknown) => (b as { items?: string[] })?.items ?? [];
    assert.strictEqual(
      count("POST", /\/roleCommands\/stop$/, (b) => names(b).includes(ecsRole.name)),
      1,
      "ECS role stopped once",
    );
    assert.strictEqual(count("DELETE", new RegExp(`/roles/${ecsRole.name}$`)), 1, "ECS role deleted once");
    assert.strictEqual(
      count("DELETE", new RegExp(`/roles/${dockerRole.name}$`)),
      1,
      "Docker role deleted once",
    );
    assert.strictEqual(
      count("POST", /\/hosts\/removeHostsFromCluster$/, (b) => JSON.stringify(b).includes(ds06)),
      1,
      "host removed from the cluster once",
    );
    const os6 = osEvents.slice(osFrom).filter((e) => e.name === "ds06");
    assert.deepStrictEqual(
      os6.filter((e) => e.type === "delete").map((e) => e.serverId),
      [oldVm.id],
      "old VM deleted once",
    );
    assert.strictEqual(os6.filter((e) => e.type === "create").length, 1, "one new VM created");
    const leaves = recordsOf(ds06, "membership-delete");
    assert.deepStrictEqual(
      leaves.map((l) => [l.outcome, l.evidence.evidence?.nodeExists, l.evidence.nodeAlreadyGone]),
      [
        ["succeeded", true, undefined],
        ["succeeded", false, true],
      ],
      "the Node removed once; the re-run's membership delete found it gone",
    );
    assert.strictEqual(recordsOf(ds06, "membership-create").pop()?.outcome, "succeeded");
    console.log(`  [timing] killed update (ds06): ${secs(started)} (re-run ${secs(killedAt)})`);
  });

  /** One drill as `npm run drill` runs it, on this file's stack (its config is the lab stack's). */
  const drill = (
    request: Partial<DrillRequest> & Pick<DrillRequest, "node" | "fault" | "recover">,
    signal?: AbortSignal,
    onLog?: (m: string) => void,
  ) =>
    runDrill({
      request: { stack: "lab", yes: false, dryRun: false, outDir: path.join(tmp, "drills"), ...request },
      stack: env.stack,
      kubectl: lab.kube.kubectl.binary,
      log: (m) => {
        console.log(`  ${m}`);
        onLog?.(m);
      },
      signal,
    });

  it("drill: refused on a stack that does not allow drills, on an unhealthy cluster, while another drill runs: nothing touched", async () => {
    const osFrom = osEvents.length;
    await config.setObject(env, "ecs:drills", { allowed: false });
    try {
      await assert.rejects(drill({ node: "ds04", fault: "power-off", recover: "case1" }), (e: Error) => {
        assert.ok(e instanceof DrillRefused, e.message);
        assert.match(e.message, /ecs:drills\.allowed is not true/);
        return true;
      });
    } finally {
      await config.setObject(
        env,
        "ecs:drills",
        stackConfig()["ecs:drills"].objectValue as Record<string, unknown>,
      );
    }
    // A cordoned node (the health gate's checks fail) and another drill's Lease: refused the same way.
    await lab.kube.kubectl.ok(["cordon", host("ds05")]);
    try {
      await assert.rejects(drill({ node: "ds04", fault: "power-off", recover: "case1" }), (e: Error) => {
        assert.ok(e instanceof DrillRefused, e.message);
        assert.match(e.message, /the cluster is not healthy[\s\S]*ds05/);
        return true;
      });
    } finally {
      await lab.kube.kubectl.ok(["uncordon", host("ds05")]);
    }
    const lease = {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: "ecs-drill", namespace: "kube-system" },
      spec: { holderIdentity: "ops-laptop/4242: lab/ds05 power-off case2" },
    };
    await lab.kube.kubectl.ok(["create", "-f", "-"], { input: JSON.stringify(lease) });
    try {
      await assert.rejects(drill({ node: "ds04", fault: "power-off", recover: "case1" }), (e: Error) => {
        assert.ok(e instanceof DrillRefused, e.message);
        assert.match(e.message, /another drill holds this cluster .*ops-laptop\/4242: lab\/ds05/);
        return true;
      });
    } finally {
      await lab.kube.kubectl.ok(["delete", "lease", "ecs-drill", "-n", "kube-system"]);
    }
    assert.deepStrictEqual(osEvents.slice(osFrom), [], "no VM touched");
    assert.strictEqual(vmOf("ds04").status, "ACTIVE");
  });

  it("drill: the seed's case 1 on an agent (power-off): observed NotReady, taint, evictions after the lab's toleration; recovered and green; the report and its picture", async () => {
    const started = Date.now();
    const oldVm = vmOf("ds04");
    const result = await drill({ node: "ds04", fault: "power-off", recover: "case1" });
    const table = result.expectations.map((e) => `${e.result}: ${e.what}: ${e.observed}`).join("\n");
    console.log(table.replace(/^/gm, "  [drill] "));
    assert.strictEqual(result.outcome, "passed", table);
    assert.ok(
      result.expectations.every((e) => e.result === "pass"),
      table,
    );
    // The observed timings are the lab's configured ones (lab/kube/timings.ts).
    const kinds = result.marks.map((m) => m.kind);
    const at = (kind: string) => result.marks.find((m) => m.kind === kind)!.t;
    for (const k of [
      "fault",
      "not-ready",
      "tainted",
      "evicted",
      "cm-alarm",
      "recovery-start",
      "node-gone",
      "node-ready",
      "recovery-end",
      "green",
    ])
      assert.ok(kinds.includes(k as never), `mark ${k} in ${kinds.join(", ")}`);
    const toEviction = (at("evicted") - at("tainted")) / 1000;
    assert.ok(
      Math.abs(toEviction - DEFAULT_TIMINGS.defaultUnreachableTolerationSeconds) <= 3,
      `eviction ${toEviction} s after the taint; the lab's toleration is ${DEFAULT_TIMINGS.defaultUnreachableTolerationSeconds} s`,
    );
    const toNotReady = (at("not-ready") - at("fault")) / 1000;
    assert.ok(
      toNotReady <=
        DEFAULT_TIMINGS.nodeMonitorGracePeriodSeconds + DEFAULT_TIMINGS.nodeLeaseDurationSeconds + 2,
      `NotReady ${toNotReady} s after the fault; the lab's grace is ${DEFAULT_TIMINGS.nodeMonitorGracePeriodSeconds} s`,
    );
    // The recovery was the stack's case 1 (delete-node, from the run record), the VM rebuilt; the
    // generation bump stays in the stack, the node's evacuation is set back for its next planned change.
    assert.strictEqual(
      result.expectations.find((e) => /evacuates/.test(e.what))?.observed.split(" ")[0],
      "delete-node",
    );
    const nodes = JSON.parse((await env.stack.getConfig("ecs:nodes")).value) as Array<
      Record<string, unknown>
    >;
    assert.deepStrictEqual(
      (({ evacuation, rebuild }) => ({ evacuation, rebuild }))(nodes.find((n) => n.name === "ds04")!),
      { evacuation: "drain", rebuild: 1 },
    );
    config.overrides.ds04 = { rebuild: 1 };
    await env.stack.preview({ expectNoChanges: true });
    assert.notStrictEqual(vmOf("ds04").id, oldVm.id);
    assert.deepStrictEqual(await readyNodes(), allHostnames());
    // The picture, read as a person would: numbered event lines left to right in the order they happened.
    const svg = fs.readFileSync(result.svgFile!, "utf8");
    const drawn = [
      ...svg.matchAll(
        /<g class="mark" data-kind="([a-z-]+)" data-t="(\d+)" data-n="(\d+)"><line x1="([\d.]+)"/g,
      ),
    ].map((m) => ({ kind: m[1], t: Number(m[2]), n: Number(m[3]), x: Number(m[4]) }));
    const order = [
      "fault",
      "not-ready",
      "evicted",
      "recovery-start",
      "node-gone",
      "node-ready",
      "recovery-end",
      "green",
    ];
    const xs = order.map((k) => drawn.find((d) => d.kind === k)?.x ?? NaN);
    assert.ok(
      xs.every((v, i) => !Number.isNaN(v) && (i === 0 || v >= xs[i - 1])),
      `marks left to right: ${JSON.stringify(drawn)}`,
    );
    assert.deepStrictEqual(
      drawn.map((d) => d.n),
      drawn.map((_, i) => i + 1),
      "numbered in time order",
    );
    const md = fs.readFileSync(result.reportFile!, "utf8");
    assert.match(md, /\*\*PASSED\*\*/);
    assert.match(md, /!\[timeline\]\(timeline\.svg\)/);
    assert.match(md, /ecs:nodes\[3\]\.evacuation: drain -> delete-node, ecs:nodes\[3\]\.rebuild: 0 -> 1/);
    assert.match(md, /afterwards: ecs:nodes\[3\]\.evacuation set back to drain/);
    assert.doesNotMatch(
      md + svg + fs.readFileSync(path.join(result.reportDir!, "samples.json"), "utf8"),
      new RegExp(`${OS_PASSWORD}|${CM_PASSWORD}|PRIVATE KEY`),
    );
    console.log(`  [timing] drill case 1 (ds04): ${secs(started)}`);
  });

  it("drill: an aborted drill of a server (kubelet-stop, rejoin) stops watching and recovers: RKE2 wiped, same VM, etcd voter again", async () => {
    const started = Date.now();
    const ds03 = host("ds03");
    const oldVm = vmOf("ds03");
    const oldUid = (await getOrNone<NodeJson>(["node", ds03]))!.metadata.uid;
    const abort = new AbortController();
    // The operator's Ctrl-C, once the node is NotReady and before its pods' toleration is over.
    const result = await drill(
      { node: "ds03", fault: "kubelet-stop", recover: "rejoin" },
      abort.signal,
      (m) => {
        if (/NotReady since/.test(m)) abort.abort();
      },
    );
    const table = result.expectations.map((e) => `${e.result}: ${e.what}: ${e.observed}`).join("\n");
    console.log(table.replace(/^/gm, "  [drill] "));
    const kinds = result.marks.map((m) => m.kind);
    assert.ok(
      kinds.indexOf("abort") > kinds.indexOf("fault") &&
        kinds.indexOf("abort") < kinds.indexOf("recovery-start"),
      kinds.join(", "),
    );
    assert.strictEqual(result.expectations.find((e) => /evicted/.test(e.what))?.result, "not reached", table);
    // Stopped early on purpose: nothing failed, the evictions were not reached.
    assert.strictEqual(result.outcome, "incomplete", table);
    assert.ok(kinds.includes("green"), kinds.join(", "));
    // A rejoin: the same VM, a new Node object, RKE2 wiped and back as an etcd voter.
    assert.strictEqual(vmOf("ds03").id, oldVm.id);
    assert.notStrictEqual((await getOrNone<NodeJson>(["node", ds03]))!.metadata.uid, oldUid);
    config.overrides.ds03 = { rejoin: 1 };
    await assertEtcdHealthy();
    assert.deepStrictEqual(await readyNodes(), allHostnames());
    console.log(`  [timing] aborted drill (ds03): ${secs(started)}`);
  });
});
