import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ECS_LAB_NODES, KubeLab, startKubeLab } from "../../lab/kube";
import { LAB_VERSIONS, labBinaries } from "../../lab/kube/binaries";
import { List, Node, Pod, nodeReady } from "../../lab/kube/k8s-types";
import { waitFor } from "../../lab/kube/wait";

// The seed's observations (ecs-ha-failure-domain-testing.md, cases 1-3) against a real
// kube-apiserver, controller-manager, scheduler and etcd, with one kwok "kubelet" per node.

const [ds01, , , ds04, ds05] = ECS_LAB_NODES.map((n) => n.name);
const SERVER_ROLE_LABELS = ["control-plane", "etcd", "master"].map((r) => `node-role.kubernetes.io/${r}`);

function binariesBuilt(): boolean {
  try {
    labBinaries();
    return true;
  } catch {
    return false;
  }
}

describe("lab/kube versions", () => {
  it("names the same versions as tools/toolchain/build-lab.sh", () => {
    const script = fs.readFileSync(path.join(__dirname, "../../tools/toolchain/build-lab.sh"), "utf8");
    const pinned = (name: string): string | undefined =>
      new RegExp(`^${name}=(\\S+)$`, "m").exec(script)?.[1];
    assert.deepEqual(
      { kube: pinned("KUBE_VERSION"), etcd: pinned("ETCD_VERSION"), kwok: pinned("KWOK_VERSION") },
      { ...LAB_VERSIONS },
    );
  });
});

describe("embedded ECS Kubernetes lab", function () {
  this.timeout(300_000);
  let lab: KubeLab;
  const dir = path.join(os.tmpdir(), `ecs-kube-lab-test-${process.pid}`);

  before(async function () {
    if (!binariesBuilt()) {
      // Required in CI (ECS_LAB_REQUIRED=1); elsewhere say loudly why nothing ran.
      if (process.env.ECS_LAB_REQUIRED === "1") labBinaries();
      console.warn("    lab binaries not built (tools/toolchain/build-lab.sh): skipping the kube lab tests");
      this.skip();
    }
    lab = await startKubeLab({ dir, nodes: ECS_LAB_NODES });
    const mib = Math.round(lab.rssBytes() / 2 ** 20);
    console.log(`    lab ready in ${lab.startupSeconds.toFixed(1)} s, RSS of all processes ${mib} MiB`);
  });

  after(async () => {
    if (lab) await lab.stop();
    if (lab && !process.env.KEEP_LAB) fs.rmSync(dir, { recursive: true, force: true });
  });

  const nodes = async (): Promise<Node[]> => (await lab.kubectl.json<List<Node>>(["get", "nodes"])).items;
  const node = async (name: string): Promise<Node> => lab.kubectl.json<Node>(["get", "node", name]);
  const podsOn = async (name: string): Promise<Pod[]> =>
    (await lab.kubectl.json<List<Pod>>(["get", "pods", "-A", "--field-selector", `spec.nodeName=${name}`]))
      .items;
  const ownedByDaemonSet = (p: Pod): boolean =>
    (p.metadata.ownerReferences ?? []).some((o) => o.kind === "DaemonSet");

  /** A Deployment whose pods must run on `nodeName`, so every case has evictable pods there. */
  async function pinnedDeployment(ns: string, nodeName: string, replicas: number): Promise<void> {
    await lab.kubectl.ok(["create", "namespace", ns]);
    await waitFor(
      `ServiceAccount in ${ns}`,
      async () => ((await lab.kubectl.run(["get", "sa", "default", "-n", ns])).code === 0 ? true : undefined),
      60_000,
    );
    const deployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "pinned", namespace: ns },
      spec: {
        replicas,
        selector: { matchLabels: { app: "pinned" } },
        template: {
          metadata: { labels: { app: "pinned" } },
          spec: {
            nodeSelector: { "kubernetes.io/hostname": nodeName },
            containers: [{ name: "app", image: "registry.local/pinned:1" }],
          },
        },
      },
    };
    await lab.kubectl.ok(["apply", "-f", "-"], { input: JSON.stringify(deployment) });
    await lab.kubectl.ok(["rollout", "status", "deployment/pinned", "-n", ns, "--timeout=60s"]);
  }

  /** Kills the node's kwok, then waits for NotReady (Unknown) and the unreachable taints. */
  async function crashNode(name: string): Promise<number> {
    const t0 = Date.now();
    await lab.stopNode(name);
    await waitFor(
      `${name} NotReady with the unreachable taints`,
      async () => {
        const n = await node(name);
        const taints = (n.spec.taints ?? []).filter((t) => t.key === "node.kubernetes.io/unreachable");
        const effects = taints.map((t) => t.effect).sort();
        return nodeReady(n) === "Unknown" && effects.join() === "NoExecute,NoSchedule" ? true : undefined;
      },
      60_000,
    );
    return (Date.now() - t0) / 1000;
  }

  /** Waits until every non-DaemonSet pod on the node is Terminating; returns all its pods. */
  async function evictedPods(name: string): Promise<Pod[]> {
    return waitFor(
      `pods on ${name} Terminating`,
      async () => {
        const pods = await podsOn(name);
        const evictable = pods.filter((p) => !ownedByDaemonSet(p));
        return evictable.length > 0 && evictable.every((p) => p.metadata.deletionTimestamp)
          ? pods
          : undefined;
      },
      60_000,
    );
  }

  it("has six Ready nodes with RKE2's role labels on the servers only, at 127.0.8.141-146", async () => {
    const all = await nodes();
    assert.deepEqual(all.map((n) => n.metadata.name).sort(), ECS_LAB_NODES.map((n) => n.name).sort());
    for (const spec of ECS_LAB_NODES) {
      const n = all.find((x) => x.metadata.name === spec.name);
      assert.ok(n);
      assert.equal(nodeReady(n), "True", `${spec.name} Ready`);
      const labels = n.metadata.labels ?? {};
      for (const key of SERVER_ROLE_LABELS) {
        assert.equal(labels[key], spec.role === "server" ? "true" : undefined, `${spec.name} ${key}`);
      }
      const ip = n.status?.addresses?.find((a) => a.type === "InternalIP")?.address;
      assert.equal(ip, spec.ip);
    }
    // What an operator sees in step 1.1 of the seed.
    const table = await lab.kubectl.ok(["get", "nodes", "--no-headers"]);
    const rows = table
      .trim()
      .split("\n")
      .map((l) => l.split(/\s+/));
    for (const [name, status, roles, , version] of rows) {
      const server = ECS_LAB_NODES.find((n) => n.name === name)?.role === "server";
      assert.equal(status, "Ready");
      assert.equal(roles, server ? "control-plane,etcd,master" : "<none>");
      assert.equal(version, "v1.34.4+rke2r1");
    }
    const versions = JSON.parse(await lab.kubectl.ok(["version", "-o", "json"])) as {
      clientVersion: { gitVersion: string };
      serverVersion: { gitVersion: string };
    };
    assert.equal(versions.clientVersion.gitVersion, `v${LAB_VERSIONS.kube}`);
    assert.equal(versions.serverVersion.gitVersion, `v${LAB_VERSIONS.kube}`);
  });

  it("runs the sample ECS workloads: namespaces, Deployments and StatefulSets with PDBs, DaemonSets", async () => {
    const pdbs = await lab.kubectl.json<List<{ metadata: { namespace: string; name: string } }>>([
      "get",
      "pdb",
      "-A",
    ]);
    assert.ok(pdbs.items.length >= 3, "PDBs present");
    const pods = (await lab.kubectl.json<List<Pod>>(["get", "pods", "-A"])).items;
    for (const ns of ["kube-system", "longhorn-system", "vault-system", "cdp", "infra-prometheus"]) {
      const inNs = pods.filter((p) => p.metadata.namespace === ns);
      assert.ok(inNs.length > 0, `pods in ${ns}`);
      assert.ok(
        inNs.every((p) => p.status?.phase === "Running" && p.status.podIP),
        `all Running in ${ns}`,
      );
    }
    // A DaemonSet pod on every node.
    const canal = pods.filter((p) => p.metadata.name.startsWith("rke2-canal-"));
    assert.deepEqual(canal.map((p) => p.spec.nodeName).sort(), ECS_LAB_NODES.map((n) => n.name).sort());
  });

  it("case 1: a dead server goes NotReady and tainted, its pods stay Terminating until `kubectl delete node`", async () => {
    await pinnedDeployment("case1", ds01, 2);
    const notReadyAfter = await crashNode(ds01);
    console.log(`      ${ds01} NotReady + tainted ${notReadyAfter.toFixed(1)} s after its kwok was killed`);

    const pods = await evictedPods(ds01);
    // Terminating, not deleted: still there a while later, because no kubelet confirms.
    await new Promise((r) => setTimeout(r, 5000));
    const later = await podsOn(ds01);
    for (const p of pods.filter((x) => !ownedByDaemonSet(x))) {
      assert.ok(
        later.some((x) => x.metadata.name === p.metadata.name && x.metadata.deletionTimestamp),
        `${p.metadata.namespace}/${p.metadata.name} still Terminating`,
      );
    }
    const printed = await lab.kubectl.ok(["get", "pods", "-n", "case1", "--no-headers"]);
    assert.match(printed, /Terminating/);
    // DaemonSet pods tolerate the taint and stay bound, not Terminating.
    assert.ok(later.filter(ownedByDaemonSet).every((p) => !p.metadata.deletionTimestamp));

    await lab.kubectl.ok(["delete", "node", ds01, "--wait=true"]);
    // The pod garbage collector removes pods bound to a node that no longer exists (~40-60 s).
    await waitFor(
      `no pods bound to ${ds01}`,
      async () => ((await podsOn(ds01)).length === 0 ? true : undefined),
      120_000,
      2000,
    );

    await lab.startNode(ds01);
    await lab.kubectl.ok(["rollout", "status", "deployment/pinned", "-n", "case1", "--timeout=60s"]);
    await lab.kubectl.ok(["delete", "namespace", "case1", "--wait=false"]);
  });

  it("case 2: force-deleting the pods of a dead agent clears them at once", async () => {
    await pinnedDeployment("case2", ds04, 2);
    await crashNode(ds04);
    const pods = await evictedPods(ds04);
    for (const p of pods) {
      await lab.kubectl.ok([
        "delete",
        "pod",
        p.metadata.name,
        "-n",
        p.metadata.namespace ?? "",
        "--grace-period=0",
        "--force",
      ]);
    }
    // Gone immediately. (Canal tolerates every taint, so the DaemonSet may already have bound a
    // new pod to the node; the deleted ones must be gone.)
    const deleted = new Set(pods.map((p) => p.metadata.name));
    assert.deepEqual(
      (await podsOn(ds04)).filter((p) => deleted.has(p.metadata.name)),
      [],
    );
    const pending = (await lab.kubectl.json<List<Pod>>(["get", "pods", "-n", "case2"])).items;
    assert.ok(
      pending.every((p) => !p.spec.nodeName && p.status?.phase === "Pending"),
      "replacements Pending",
    );

    await lab.startNode(ds04);
    await lab.kubectl.ok(["rollout", "status", "deployment/pinned", "-n", "case2", "--timeout=60s"]);
    await lab.kubectl.ok(["delete", "namespace", "case2", "--wait=false"]);
  });

  it("case 3: `kubectl drain` of an agent is blocked while a PDB allows 0 disruptions, and proceeds when it allows 1", async () => {
    await pinnedDeployment("case3", ds05, 1);
    const pdb = {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name: "pinned", namespace: "case3" },
      spec: { minAvailable: 1, selector: { matchLabels: { app: "pinned" } } },
    };
    await lab.kubectl.ok(["apply", "-f", "-"], { input: JSON.stringify(pdb) });
    const allowed = async (): Promise<string> =>
      lab.kubectl.ok(["get", "pdb", "pinned", "-n", "case3", "-o", "jsonpath={.status.disruptionsAllowed}"]);
    await waitFor("PDB computed", async () => ((await allowed()) === "0" ? true : undefined), 30_000);
    const guard = (await lab.kubectl.json<List<Pod>>(["get", "pods", "-n", "case3"])).items[0];

    const drain = ["drain", ds05, "--ignore-daemonsets", "--delete-emptydir-data"];
    const blocked = await lab.kubectl.run([...drain, "--timeout=20s"]);
    assert.notEqual(blocked.code, 0, "drain must fail while the PDB allows nothing");
    assert.match(blocked.stderr, /disruption budget/);
    assert.match(blocked.stderr + blocked.stdout, new RegExp(guard.metadata.name));
    const stillThere = await lab.kubectl.json<Pod>(["get", "pod", guard.metadata.name, "-n", "case3"]);
    assert.equal(stillThere.metadata.deletionTimestamp, undefined, "the guarded pod was not evicted");
    assert.equal((await node(ds05)).spec.unschedulable, true, "the node stays cordoned");

    await lab.kubectl.ok([
      "patch",
      "pdb",
      "pinned",
      "-n",
      "case3",
      "--type=merge",
      "-p",
      '{"spec":{"minAvailable":0}}',
    ]);
    await waitFor("PDB allows 1", async () => ((await allowed()) === "1" ? true : undefined), 30_000);
    const done = await lab.kubectl.run([...drain, "--timeout=90s"]);
    assert.equal(done.code, 0, done.stderr);
    const left = (await podsOn(ds05)).filter((p) => !ownedByDaemonSet(p));
    assert.deepEqual(
      left.map((p) => p.metadata.name),
      [],
    );

    await lab.kubectl.ok(["uncordon", ds05]);
    await lab.kubectl.ok(["delete", "namespace", "case3", "--wait=false"]);
  });
});
