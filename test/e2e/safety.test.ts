import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import { LAB_FLAVORS, LAB_IMAGES, startEcsLab, type EcsLab } from "../../lab/ecs";
import { startKubeLab, type KubeLab } from "../../lab/kube";
import { copyProgram } from "../../tools/programCopy";
import { analyzePreview, PreviewDigest } from "../../tools/preview-gate/analyze";
import { renderPlan } from "../../tools/preview-gate/render";
import { CM_PASSWORD, LabStackConfig, LabView, OS_PASSWORD } from "../support/e2eLab";
import type { UpOptions } from "@pulumi/pulumi/automation";
import { EngineStack, openStack, stepRecorder } from "../support/engine";

const DOMAIN = "ecs.openstack.com";
const host = (name: string) => `${name}.${DOMAIN}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const LEASE = ["lease", "-n", "kube-system", "ecs-server-change"];

interface NodeJson {
  metadata: { name: string; annotations?: Record<string, string>; finalizers?: string[] };
  spec: { unschedulable?: boolean };
  status: { conditions: Array<{ type: string; status: string }> };
}

/**
 * The safety invariants (DESIGN.md) under the mistakes and conditions issue 12 found, end to end
 * on one lab and one stack through the real engine: each refusal is asserted to have touched
 * nothing, and each change that follows a refusal converges.
 */
describe("e2e on the lab: safety under real-world mistakes", function () {
  this.timeout(30 * 60_000);
  let lab: EcsLab;
  let other: KubeLab;
  let env: EngineStack;
  let tmp: string;
  let records: string;
  /** The operator's kubeconfig (ecs:kubernetes.kubeconfigPath), as ~/.kube/config would be. */
  let kubeconfig: string;
  let failed = false;

  const config = new LabStackConfig(
    () => lab,
    () => records,
    () => kubeconfig,
  );
  const setNode = (name: string, fields: Record<string, unknown>) => config.setNode(env, name, fields);
  /** Everything the engine printed, for the secrets check at the end. */
  const printed: string[] = [];
  const up = (opts: UpOptions = {}) =>
    env.stack.up({
      ...opts,
      onOutput: (o) => {
        printed.push(o);
        opts.onOutput?.(o);
      },
    });
  /**
   * A plain `pulumi up`, with the lab sampled every `everyMs` through it: returns the highest count
   * `sample` saw (how many nodes were out at once) and the update's error, if it failed.
   */
  const upSampling = async (sample: () => number | Promise<number>, everyMs: number) => {
    let watching = true;
    let worst = 0;
    const watcher = (async () => {
      while (watching) {
        worst = Math.max(worst, await sample());
        await sleep(everyMs);
      }
    })();
    try {
      await up();
      return { worst, error: undefined };
    } catch (e) {
      return { worst, error: e as Error };
    } finally {
      watching = false;
      await watcher;
    }
  };
  /** Like `upSampling`, for an update that must succeed: the worst count. */
  const upCountingWorst = async (sample: () => number | Promise<number>, everyMs: number) => {
    const { worst, error } = await upSampling(sample, everyMs);
    assert.ifError(error);
    return worst;
  };
  const view = new LabView(
    () => lab,
    () => records,
  );
  const kubectlJson = async <T>(args: string[]) => lab.kube.kubectl.json<T>(["get", ...args]);
  const readyNodes = () => view.readyNodes();
  const allHostnames = () => lab.nodes.map((n) => n.hostname).sort();
  const vmOf = (name: string) => view.vmOf(name);
  const imageId = (name: string) => lab.openstack.snapshot().images.find((i) => i.name === name)!.id;
  const cmHostsOf = (hostname: string) => view.cmHostsOf(hostname);
  const cmRolesOf = (hostname: string) =>
    view
      .cmRolesOf(hostname)
      .map((r) => `${r.name}:${r.state}`)
      .sort();
  const recordsOf = (hostname: string, stage: string) => view.recordsOf(hostname, stage);
  const leaseOrNone = async () => {
    const r = await lab.kube.kubectl.run(["get", ...LEASE, "-o", "json"]);
    return r.code === 0
      ? (JSON.parse(r.stdout) as {
          metadata: { annotations?: Record<string, string> };
          spec: { holderIdentity?: string };
        })
      : undefined;
  };

  /** What a refused update must leave as it was: VMs, CM hosts and roles, Nodes, etcd members, detaches. */
  const fingerprint = async () => ({
    vms: lab.openstack
      .snapshot()
      .servers.map((s) => `${s.name}:${s.id}:${s.status}`)
      .sort(),
    cmHosts: [...lab.cm.state.hosts.values()].map((h) => `${h.hostname}:${h.hostId}:${h.clusterName}`).sort(),
    cmRoles: [...lab.cm.state.roles.values()].map((r) => `${r.name}:${r.state}`).sort(),
    nodes: (await kubectlJson<{ items: NodeJson[] }>(["nodes"])).items
      .map((n) => `${n.metadata.name}:${n.spec.unschedulable ? "cordoned" : "schedulable"}`)
      .sort(),
    etcd: [...lab.rke2.members.entries()].map(([k, v]) => `${k}:${v}`).sort(),
    detaches: lab.openstack.detachAudit().length,
  });

  before(async () => {
    failed = true;
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ecs-e2e-safety-"));
    lab = await startEcsLab({
      dir: path.join(tmp, "lab"),
      openstackPassword: OS_PASSWORD,
      cmPassword: CM_PASSWORD,
      log: (m) => console.log(`  [lab] ${m}`),
    });
    // Another Kubernetes cluster on the same machine, the kind a stale context points at.
    other = await startKubeLab({ dir: path.join(tmp, "other-cluster"), nodes: [], workloads: false });
    kubeconfig = path.join(tmp, "kubeconfig");
    fs.copyFileSync(lab.kube.kubeconfig, kubeconfig);
    records = path.join(tmp, "records");
    env = await openStack(copyProgram(path.join(tmp, "program")), "lab");
    await env.stack.setAllConfigJson(JSON.stringify(config.full()));
    const res = await up();
    assert.strictEqual(res.summary.result, "succeeded");
    assert.deepStrictEqual(await readyNodes(), allHostnames());
    failed = false;
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed") failed = true;
  });

  after(async () => {
    await env?.dispose();
    await other?.stop();
    await lab?.stop();
    if (failed) console.log(`  lab and run records kept in ${tmp}`);
    else if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("refuses a server change when the kubeconfig now points at another cluster (kubectx): nothing touched", async () => {
    const before = await fingerprint();
    // The same file, switched to another cluster, as kubectx or a copied config does.
    fs.copyFileSync(other.kubeconfig, kubeconfig);
    await setNode("ds02", { rebuild: 1, evacuation: "drain" });
    try {
      await assert.rejects(up(), (e: Error) => {
        assert.match(e.message, /now reaches another cluster: its kube-system namespace UID is/);
        assert.match(e.message, /Nothing was changed/);
        return true;
      });
    } finally {
      fs.copyFileSync(lab.kube.kubeconfig, kubeconfig);
    }
    assert.deepStrictEqual(await fingerprint(), before);
    const leave = recordsOf(host("ds02"), "membership-delete").pop()!;
    assert.strictEqual(leave.outcome, "failed");
    assert.ok(!("nodeAlreadyGone" in leave.evidence), "an absent Node was not taken for a gone one");
  });

  it("stops a server change before its etcd member is removed when the etcd snapshot fails", async () => {
    const ds02Vm = vmOf("ds02").id;
    const roles = cmRolesOf(host("ds02"));
    lab.wiring.failSnapshots("all", "no space left on device");
    try {
      await assert.rejects(up(), (e: Error) => {
        assert.match(e.message, /etcd snapshot on ds0[13] failed.*no space left on device/);
        assert.match(e.message, /Without a fresh snapshot no etcd member is removed/);
        return true;
      });
    } finally {
      lab.wiring.failSnapshots("all", undefined);
    }
    assert.strictEqual(vmOf("ds02").id, ds02Vm, "server VM untouched");
    assert.deepStrictEqual(cmRolesOf(host("ds02")), roles, "server CM roles untouched");
    assert.strictEqual(lab.rke2.members.get(host("ds02")), "voter", "etcd member still there");
    const lease = await leaseOrNone();
    assert.strictEqual(lease?.spec.holderIdentity, undefined, "the server lock was given back");
    assert.strictEqual(lease?.metadata.annotations?.["ecs.cloudera.com/state"], "released");
  });

  it("waits while another server change holds the cluster's server lock, and stops at once when it fails: nothing touched", async () => {
    // Another update (another runner, another stack) has taken ds03 out.
    await lab.kube.kubectl.ok(["delete", ...LEASE, "--ignore-not-found"]);
    const lease = (state: string, phase: string) =>
      JSON.stringify({
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: {
          name: "ecs-server-change",
          namespace: "kube-system",
          annotations: {
            "ecs.cloudera.com/state": state,
            "ecs.cloudera.com/phase": phase,
            ...(state === "failed" ? { "ecs.cloudera.com/failure": "VM create failed: quota exceeded" } : {}),
          },
        },
        spec: { holderIdentity: host("ds03"), acquireTime: "2026-12-05T00:00:00.000000Z" },
      });
    await lab.kube.kubectl.ok(["apply", "-f", "-"], { input: lease("held", "evacuating") });
    const before = await fingerprint();
    const output: string[] = [];
    const started = Date.now();
    const running = up({ onOutput: (o) => output.push(o) });
    let waited = false;
    for (let i = 0; i < 120 && !waited; i++) {
      await sleep(500);
      waited = output.join("").includes("waiting for the server lock");
    }
    assert.ok(waited, "ds02's stage waits for the lock held by ds03");
    const markedAt = Date.now();
    await lab.kube.kubectl.ok(["apply", "-f", "-"], { input: lease("failed", "failed") });
    await assert.rejects(running, (e: Error) => {
      assert.match(
        e.message,
        /refusing to take ECS server ds02\.ecs\.openstack\.com out: the change of server ds03/,
      );
      assert.match(e.message, /VM create failed: quota exceeded/);
      return true;
    });
    console.log(
      `  [timing] waited ${((markedAt - started) / 1000).toFixed(1)} s, stopped ${((Date.now() - markedAt) / 1000).toFixed(1)} s after the lock was marked failed`,
    );
    assert.deepStrictEqual(await fingerprint(), before);
    await lab.kube.kubectl.ok(["delete", ...LEASE]);
  });

  it("a plain pulumi up of two servers (no gate): one at a time, each after a verified snapshot, never two etcd members out", async () => {
    const vms = { ds01: vmOf("ds01").id, ds02: vmOf("ds02").id };
    await setNode("ds01", { rebuild: 1, evacuation: "drain" });
    // The lab's own view, sampled through the update: how many servers are not voters at once.
    const servers = ["ds01", "ds02", "ds03"].map(host);
    const worst = await upCountingWorst(
      () => servers.filter((s) => lab.rke2.members.get(s) !== "voter").length,
      100,
    );
    assert.strictEqual(worst, 1, "exactly one server out at a time");
    for (const n of ["ds01", "ds02"] as const) {
      assert.notStrictEqual(vmOf(n).id, vms[n], `${n} rebuilt`);
      const leave = recordsOf(host(n), "membership-delete").pop()!;
      const snap = leave.evidence.etcdSnapshot as {
        file: string;
        sizeBytes: number;
        restore: string;
        peer: string;
      };
      assert.ok(snap.sizeBytes > 0, `${n}: snapshot with its size`);
      assert.ok(fs.existsSync(snap.file), `${n}: snapshot file ${snap.file} exists`);
      assert.match(snap.restore, /--cluster-reset-restore-path=/);
      assert.notStrictEqual(snap.peer, host(n), "taken on another server");
      assert.match(
        String(leave.evidence.etcdRemovedMember),
        new RegExp(`^${host(n).replace(/\./g, "\\.")}-`),
      );
    }
    const snapshots = lab.wiring.snapshots().filter((s) => s.ok);
    assert.ok(snapshots.length >= 2);
    // The second server's removal started only after the first was a voter again.
    const ds01 = recordsOf(host("ds01"), "membership-create").pop()!;
    const ds02 = recordsOf(host("ds02"), "membership-delete").pop()!;
    const [first, second] = [ds01, ds02].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    assert.ok((first.endedAt ?? "") <= second.startedAt, "the chains did not overlap");
    assert.strictEqual((await leaseOrNone())?.spec.holderIdentity, undefined, "lock released");
    assert.deepStrictEqual(await readyNodes(), allHostnames());
  });

  it("removes a server whose Node was deleted by hand only with etcd's own member list as proof (by member ID)", async () => {
    const ds03 = host("ds03");
    // The seed's workaround done by hand: finalizers stripped, Node deleted; etcd keeps the member.
    await lab.kube.kubectl.ok([
      "patch",
      "node",
      ds03,
      "--type=merge",
      "-p",
      '{"metadata":{"finalizers":[]}}',
    ]);
    await lab.kube.kubectl.ok(["delete", "node", ds03, "--wait=true"]);
    assert.ok(lab.rke2.members.has(ds03), "etcd still has the member");
    await setNode("ds03", { rebuild: 1, evacuation: "delete-node" });
    const res = await up();
    assert.strictEqual(res.summary.result, "succeeded");
    const leave = recordsOf(ds03, "membership-delete").pop()!;
    assert.strictEqual(leave.evidence.nodeAlreadyGone, true);
    assert.ok(
      (leave.evidence.etcdMemberList as { members: string[] }).members.some((m) => m.startsWith(`${ds03}-`)),
      "etcd's member list still had it",
    );
    assert.match(String(leave.evidence.etcdRemovedMember), /by ID \d+, Node absent/);
    assert.ok((leave.evidence.etcdSnapshot as { sizeBytes: number }).sizeBytes > 0);
    assert.strictEqual(lab.rke2.members.get(ds03), "voter", "a new member joined and was promoted");
    assert.deepStrictEqual(await readyNodes(), allHostnames());
  });

  it("reports a duplicate CM host record instead of guessing, and converges once it is removed", async () => {
    const ds04 = host("ds04");
    const stale = {
      hostId: "stale-ds04-record",
      hostname: ds04,
      ipAddress: "127.0.8.200",
      agentUp: false,
      lastHeartbeatMs: 0,
    };
    lab.cm.state.hosts.set(stale.hostId, stale);
    const ours = cmHostsOf(ds04).find((h) => h.hostId !== stale.hostId)!;
    await setNode("ds04", { rebuild: 1, evacuation: "drain" });
    await assert.rejects(up(), (e: Error) => {
      assert.match(e.message, /CM has 2 host records for ds04\.ecs\.openstack\.com/);
      assert.match(e.message, /stale-ds04-record \(IP 127\.0\.8\.200/);
      return true;
    });
    assert.ok(lab.cm.state.hosts.has(stale.hostId), "the other record was not touched");
    assert.ok(lab.cm.state.hosts.has(ours.hostId), "nor was ours removed on a guess");
    lab.cm.state.hosts.delete(stale.hostId);
    const res = await up();
    assert.strictEqual(res.summary.result, "succeeded");
    assert.strictEqual(cmHostsOf(ds04).length, 1);
    assert.deepStrictEqual(await readyNodes(), allHostnames());
  });

  /** Nodes not in service right now: cordoned, not Ready, gone, or (servers) not an etcd voter. */
  const nodesOut = async (names: string[]) => {
    const nodes = (await kubectlJson<{ items: NodeJson[] }>(["nodes"])).items;
    const fine = nodes.filter(
      (n) =>
        !n.spec.unschedulable &&
        // A Node just registered by a joining kubelet has no conditions yet.
        (n.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"),
    );
    return names.filter(
      (a) =>
        !fine.some((n) => n.metadata.name === host(a)) ||
        (lab.nodes.find((x) => x.name === a)!.role === "server" && lab.rke2.members.get(host(a)) !== "voter"),
    );
  };

  it("canary: a new image on one node only rebuilds that node, through its chain and its gate", async () => {
    const others = ["ds01", "ds02", "ds03", "ds05", "ds06"];
    const before = Object.fromEntries(others.map((n) => [n, vmOf(n).id]));
    const ds04 = vmOf("ds04").id;
    const since = new Date().toISOString();
    await setNode("ds04", { image: LAB_IMAGES[1] });
    const res = await up();
    assert.strictEqual(res.summary.result, "succeeded");
    assert.notStrictEqual(vmOf("ds04").id, ds04, "ds04 rebuilt");
    assert.strictEqual(vmOf("ds04").imageId, imageId(LAB_IMAGES[1]), "on the new image");
    for (const n of others) assert.strictEqual(vmOf(n).id, before[n], `${n} untouched`);
    const gate = recordsOf(host("ds04"), "node-gate").filter((r) => r.startedAt >= since);
    assert.deepStrictEqual(
      gate.map((r) => r.outcome),
      ["succeeded"],
    );
    assert.ok(gate[0].startedAt >= recordsOf(host("ds04"), "membership-create").pop()!.endedAt!);
    assert.deepStrictEqual(await readyNodes(), allHostnames());
  });

  it("fleet roll: a new image and agent flavor roll node by node; a failure on the third node stops the roll, a re-run resumes it", async () => {
    const order = ["ds04", "ds05", "ds06", "ds01", "ds02", "ds03"];
    const flavor = LAB_FLAVORS[2];
    const flavorId = lab.openstack.snapshot().flavors.find((f) => f.name === flavor.name)!.id;
    const oldVms = Object.fromEntries(order.map((n) => [n, vmOf(n).id]));
    // One pull request: the image for every node (ds04's canary override goes), a new agent
    // flavor, and a soak between nodes.
    await setNode("ds04", { image: undefined });
    // ds03 was dead when it was last replaced (delete-node); it runs now, so it drains. (Left as
    // delete-node, the roll stops at ds03 with the live-node refusal, the nodes before it done.)
    await setNode("ds03", { evacuation: "drain" });
    await config.setOpenstack(env, { image: LAB_IMAGES[1], agentFlavor: flavor.name });
    await config.setObject(env, "ecs:rollout", { pauseSec: 1 });

    // The reviewed plan: six nodes in the roll's order, each after the one before; accepted.
    const gate = analyzePreview(
      JSON.parse(env.cli(["preview", "--json", "--show-replacement-steps", "--show-sames"])) as PreviewDigest,
      { maxServers: 1, maxAgents: 1 },
    );
    assert.deepStrictEqual(gate.problems, []);
    assert.deepStrictEqual(gate.inPlace, []);
    assert.deepStrictEqual(
      gate.nodes.map((n) => [n.name, n.kind]),
      order.map((n) => [n, "rebuild"]),
    );
    const plan = renderPlan(gate, [], "lab");
    assert.match(plan, /Roll, in this order .*: ds04 → ds05 → ds06 → ds01 → ds02 → ds03/);
    assert.match(plan, /`update ds05-node-gate`: gate/);

    // The third node's CM role delete meets a 503 burst longer than the client's retries.
    const since = new Date().toISOString();
    let injected = false;
    const watchFor503 = async () => {
      if (!injected && (await nodesOut(["ds06"])).length) {
        lab.cm.faults.serverErrors = { count: 10_000, status: 503, pathContains: "/roles" };
        injected = true;
      }
      return (await nodesOut(order)).length;
    };
    const first = await upSampling(watchFor503, 200);
    assert.ok(first.error, "the update stopped");
    assert.match(first.error.message, /ds06/);
    lab.cm.faults.serverErrors = undefined;
    assert.strictEqual(first.worst, 1, "one node out at a time");
    for (const n of ["ds04", "ds05"]) assert.notStrictEqual(vmOf(n).id, oldVms[n], `${n} rolled`);
    for (const n of ["ds06", "ds01", "ds02", "ds03"])
      assert.strictEqual(vmOf(n).id, oldVms[n], `${n}: VM untouched`);
    for (const n of ["ds01", "ds02", "ds03"]) {
      assert.deepStrictEqual(
        recordsOf(host(n), "membership-delete").filter((r) => r.startedAt >= since),
        [],
        `${n} not started`,
      );
      assert.strictEqual(lab.rke2.members.get(host(n)), "voter");
    }

    // Fault lifted, the same update again: it resumes with ds06 and completes.
    const second = await upSampling(async () => (await nodesOut(order)).length, 200);
    assert.ifError(second.error);
    assert.strictEqual(second.worst, 1, "one node out at a time");
    for (const n of order) {
      const vm = vmOf(n);
      assert.notStrictEqual(vm.id, oldVms[n], `${n} rebuilt`);
      assert.strictEqual(vm.imageId, imageId(LAB_IMAGES[1]), `${n} on the new image`);
      if (n >= "ds04")
        assert.strictEqual(vm.flavorId, flavorId, `${n} on the new flavor (rebuilt, not resized)`);
    }
    // Node by node: each node's gate passed before the next node's chain began.
    const chains = order.map((n) => {
      const leave = recordsOf(host(n), "membership-delete").filter(
        (r) => r.startedAt >= since && r.outcome === "succeeded",
      );
      const gates = recordsOf(host(n), "node-gate").filter((r) => r.startedAt >= since);
      assert.deepStrictEqual(
        gates.map((r) => r.outcome),
        ["succeeded"],
        `${n}: its gate passed once`,
      );
      return { n, from: leave[0].startedAt, gate: gates[0].endedAt! };
    });
    for (let i = 1; i < chains.length; i++)
      assert.ok(
        chains[i - 1].gate <= chains[i].from,
        `${chains[i - 1].n}'s gate passed before ${chains[i].n} left`,
      );
    assert.deepStrictEqual(await readyNodes(), allHostnames());
  });

  it("refuses force-delete-pods and delete-node on a live node (Ready, fresh lease, VM running): nothing touched", async () => {
    const before = await fingerprint();
    for (const mode of ["force-delete-pods", "delete-node"]) {
      await setNode("ds05", { rebuild: 1, evacuation: mode });
      await assert.rejects(up(), (e: Error) => {
        assert.match(
          e.message,
          new RegExp(`refusing evacuation ${mode} of ds05\\.ecs\\.openstack\\.com: the node is live`),
        );
        assert.match(e.message, /Nova says ACTIVE/);
        assert.match(e.message, /Nothing was changed/);
        return true;
      });
    }
    assert.deepStrictEqual(await fingerprint(), before);
    const leave = recordsOf(host("ds05"), "membership-delete").pop()!;
    assert.strictEqual(leave.outcome, "failed");
    const evidence = leave.evidence.evidence as { live: boolean; vm: { source: string; status: string } };
    assert.strictEqual(evidence.live, true);
    assert.deepStrictEqual(
      [evidence.vm.source, evidence.vm.status],
      ["nova", "ACTIVE"],
      "the evidence the refusal was taken on, from the stack's own OpenStack settings",
    );
  });

  it("refuses to lower a generation (reverting the refused bump) before anything changes", async () => {
    const before = await fingerprint();
    await setNode("ds05", { rebuild: 0 });
    await assert.rejects(
      env.stack.preview(),
      /ecs:nodes \(ds05\)\.rebuild was lowered from 1 to 0; generations only increase.*Fix: set it back to 1/,
    );
    const rec = stepRecorder();
    await assert.rejects(up({ onEvent: rec.onEvent }), /generations only increase/);
    assert.deepStrictEqual(
      rec.steps.filter((s) => s.name.startsWith("ds05")),
      [],
      "no step of the node ran",
    );
    assert.deepStrictEqual(await fingerprint(), before);
    // Back to the recorded generation; ds05 stays refused (live, delete-node) in what follows.
    await setNode("ds05", { rebuild: 1 });
  });

  it("refuses a new IP for a running node (its port would be readdressed in place) before anything changes", async () => {
    const before = await fingerprint();
    const ip = lab.nodes.find((n) => n.name === "ds04")!.ip;
    const portIps = () =>
      lab.openstack
        .snapshot()
        .ports.filter((p) => p.name === "ecs-lab-ds04")
        .map((p) => p.fixedIps.map((f) => f.ipAddress));
    const ips = portIps();
    await setNode("ds04", { ip: "127.0.8.150" });
    const refused = new RegExp(
      `ecs:nodes \\(ds04\\)\\.ip changed from ${ip.replace(/\./g, "\\.")} to 127\\.0\\.8\\.150;.*Nothing was changed`,
    );
    await assert.rejects(env.stack.preview(), refused);
    const rec = stepRecorder();
    await assert.rejects(up({ onEvent: rec.onEvent }), refused);
    assert.deepStrictEqual(
      rec.steps.filter((s) => s.name.startsWith("ds04")),
      [],
      "no step of the node ran",
    );
    assert.deepStrictEqual(portIps(), ips);
    assert.deepStrictEqual(await fingerprint(), before);
    await setNode("ds04", { ip });
  });

  it("auto refuses a silent node when Nova cannot answer: nothing touched", async () => {
    // ds05, still refused above (rebuild 1), now dies; its chain comes first among the agents.
    const vm = vmOf("ds05");
    lab.openstack.faults.crashServer(vm.id);
    for (let i = 0; i < 60 && (await readyNodes()).includes(host("ds05")); i++) await sleep(500);
    await sleep(5000); // past the lab's 4 s node lease: the node is silent
    lab.openstack.faults.injectHttpError({ path: `/servers/${vm.id}`, status: 503, times: 1000 });
    const before = await fingerprint();
    await setNode("ds05", { evacuation: "auto" });
    await setNode("ds06", { rebuild: 1 });
    const rec = stepRecorder();
    try {
      await assert.rejects(up({ onEvent: rec.onEvent }), (e: Error) => {
        assert.match(e.message, /auto cannot choose for a silent node \(Ready=Unknown.*Nova could not tell/);
        assert.match(e.message, /set evacuation: delete-node/);
        return true;
      });
    } finally {
      lab.openstack.faults.clear();
    }
    assert.deepStrictEqual(await fingerprint(), before);
    // Agents go one at a time: ds06's rebuild waits behind ds05's refused one.
    assert.deepStrictEqual(
      rec.steps.filter((s) => s.name.startsWith("ds06")),
      [],
      "no step of ds06 ran",
    );
  });

  it("never detached a data volume from a running VM", () => {
    const audit = lab.openstack.detachAudit();
    assert.ok(audit.length >= 4, `${audit.length} detaches`);
    assert.deepStrictEqual(
      audit.filter((d) => d.serverStatus !== "SHUTOFF" || d.refused),
      [],
      "every detach was from a SHUTOFF VM and none was refused",
    );
  });

  it("bounds every command stage (customTimeouts in the state: none can hang an update)", async () => {
    const state = (await env.stack.exportStack()).deployment as {
      resources: Array<{ type: string; urn: string; customTimeouts?: Record<string, number> }>;
    };
    const commands = state.resources.filter((r) => r.type.startsWith("command:"));
    assert.ok(commands.length >= 6 * 4 + 1, `${commands.length} command stages`);
    const unbounded = commands.filter(
      (r) => !r.customTimeouts || !Object.values(r.customTimeouts).some((t) => t > 0),
    );
    assert.deepStrictEqual(
      unbounded.map((r) => r.urn),
      [],
    );
  });

  it("leaves no secret in plain text: stored state (with backups and history), stack config, outputs, engine output, run records, lab logs", async () => {
    const secrets = {
      "CM password": CM_PASSWORD,
      "OpenStack password": OS_PASSWORD,
      "SSH private key": lab.ssh.privateKey.split("\n")[1],
    };
    // The files as stored (the automation API's exportStack would decrypt: --show-secrets).
    const walk = (dir: string, keep: (name: string) => boolean): string[] =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        return e.isDirectory() ? walk(p, keep) : keep(e.name) ? [p] : [];
      });
    const read = (file: string) =>
      file.endsWith(".gz")
        ? zlib.gunzipSync(fs.readFileSync(file)).toString("utf8")
        : fs.readFileSync(file, "utf8");
    const stored = walk(path.join(env.tmp, "state"), () => true);
    assert.ok(
      stored.some((f) => /stacks\/.*lab\.json(\.gz)?$/.test(f)),
      `the stack's state file among:\n${stored.join("\n")}`,
    );
    // The state does hold them (decrypted here), so the search below looks where they would be.
    const decrypted = JSON.stringify(await env.stack.exportStack());
    assert.ok(decrypted.includes(CM_PASSWORD) && decrypted.includes(OS_PASSWORD), "secrets in the state");
    const places: Record<string, string> = {
      "stack config": fs.readFileSync(path.join(tmp, "program", "Pulumi.lab.yaml"), "utf8"),
      "stack outputs": env.cli(["stack", "output", "--json"]),
      "engine output": printed.join(""),
      "run records": fs.readFileSync(path.join(records, "records.jsonl"), "utf8"),
    };
    for (const file of stored) places[`stored state ${path.relative(env.tmp, file)}`] = read(file);
    for (const log of walk(lab.dir, (name) => name.endsWith(".log")))
      places[`lab log ${path.relative(lab.dir, log)}`] = read(log);
    assert.ok(Object.keys(places).length > 6, Object.keys(places).join(", "));
    for (const [where, text] of Object.entries(places))
      for (const [what, secret] of Object.entries(secrets)) {
        const at = text.indexOf(secret);
        const before = text.slice(Math.max(0, at - 300), at).replace(/\s+/g, " ");
        assert.ok(at < 0, `the ${what} is in the ${where} in plain text, after: ${before}`);
      }
  });
});
