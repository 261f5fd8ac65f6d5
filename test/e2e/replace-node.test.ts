import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startEcsLab, type EcsLab } from "../../lab/ecs";
import { analyzePreview, PreviewDigest } from "../../tools/preview-gate/analyze";
import { renderPlan } from "../../tools/preview-gate/render";
import { checkoutProgram, copyProgram } from "../../tools/programCopy";
import { renderRunRecord } from "../../tools/run-record";
import { LabStackConfig, OS_PASSWORD, CM_PASSWORD } from "../support/e2eLab";
import { EngineStack, openStack, stepRecorder } from "../support/engine";

interface NodeJson {
  metadata: { name: string; uid: string };
  spec: { unschedulable?: boolean };
  status: { conditions: Array<{ type: string; status: string }> };
}

/** The last release whose program and stages ran under ts-node (stage commands `node -r ts-node/...`). */
const TS_NODE_RELEASE = "f7fab2201060036627cac2b5a35498c112cd631c";
const TS_NODE_RELEASE_FILES = [
  "Pulumi.yaml",
  "Pulumi.dev.yaml",
  "package.json",
  "tsconfig.json",
  "tsconfig.pulumi.json",
  "index.ts",
  "components",
];

/**
 * The heart of the project, end to end on the lab: the real program, real engine, real providers,
 * against OpenStack, Cloudera Manager and Kubernetes stand-ins that behave as one cluster.
 */
describe("e2e on the lab: node replacement through pulumi up", function () {
  this.timeout(30 * 60_000);
  let lab: EcsLab;
  let env: EngineStack;
  let program: string;
  let records: string;

  const kubectlJson = async <T>(args: string[]) => lab.kube.kubectl.json<T>(["get", ...args]);
  const readyNodes = async () =>
    (await kubectlJson<{ items: NodeJson[] }>(["nodes"])).items
      .filter((n) => n.status.conditions.some((c) => c.type === "Ready" && c.status === "True"))
      .map((n) => n.metadata.name)
      .sort();
  const config = new LabStackConfig(
    () => lab,
    () => records,
  );
  const stackConfig = () => config.full();
  const setNode = (name: string, fields: Record<string, unknown>) => config.setNode(env, name, fields);

  const vmOf = (name: string) => lab.openstack.snapshot().servers.find((s) => s.name === name)!;
  const ecsRoleOf = (hostname: string) =>
    [...lab.cm.state.roles.values()].find(
      (r) => r.type.startsWith("ECS_") && lab.cm.state.hosts.get(r.hostId)?.hostname === hostname,
    );
  const recordsOf = (hostname: string, stage: string) =>
    fs
      .readFileSync(path.join(records, "records.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
      .filter((l) => l.node === hostname && l.stage === stage);
  const waitNotReady = async (hostname: string) => {
    for (let i = 0; i < 120; i++) {
      const n = await kubectlJson<NodeJson>(["node", hostname]);
      if (!n.status.conditions.some((c) => c.type === "Ready" && c.status === "True")) return;
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.fail(`${hostname} never went NotReady`);
  };

  before(async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ecs-e2e-"));
    lab = await startEcsLab({
      dir: path.join(tmp, "lab"),
      openstackPassword: OS_PASSWORD,
      cmPassword: CM_PASSWORD,
      log: (m) => console.log(`  [lab] ${m}`),
    });
    // The stack starts under the previous release and is upgraded in place to this checkout.
    program = checkoutProgram(path.join(tmp, "program"), TS_NODE_RELEASE, TS_NODE_RELEASE_FILES);
    records = path.join(tmp, "records");
    // As the README tells users: the stages take Nova credentials from the stack's openstack:* settings.
    env = await openStack(program, "lab");
    // The previous release does not know ecs:drills (it refuses an unknown key): added after the upgrade.
    const previousRelease = stackConfig();
    delete previousRelease["ecs:drills"];
    await env.stack.setAllConfigJson(JSON.stringify(previousRelease));
  });

  after(async () => {
    await env?.dispose();
    await lab?.stop();
  });

  /** A stage resource's stored commands, as the engine will run them (its delete included). */
  const storedCommands = async (name: string) => {
    const { deployment } = await env.stack.exportStack();
    const res = (deployment.resources as Array<{ urn: string; outputs: Record<string, string> }>).find((r) =>
      r.urn.endsWith(`::${name}`),
    );
    assert.ok(res, `${name} is in the state`);
    return { create: res.outputs.create, delete: res.outputs.delete };
  };
  /** What an upgrade must leave alone: VMs, data volumes, CM hosts, roles and commands, Nodes. */
  const clusterFacts = async () => ({
    vms: lab.openstack
      .snapshot()
      .servers.map((v) => `${v.name} ${v.id} ${v.status}`)
      .sort(),
    volumes: lab.openstack
      .snapshot()
      .volumes.map((v) => `${v.name} ${v.attachment?.serverId ?? "detached"}`)
      .sort(),
    hosts: [...lab.cm.state.hosts.values()].map((h) => `${h.hostname} ${h.hostId} ${h.clusterName}`).sort(),
    roles: [...lab.cm.state.roles.values()].map((r) => `${r.name} ${r.state}`).sort(),
    cmCommands: lab.cm.state.commands.size,
    nodes: (await kubectlJson<{ items: NodeJson[] }>(["nodes"])).items
      .map((n) => `${n.metadata.name} ${n.metadata.uid} ${n.spec.unschedulable ? "cordoned" : "schedulable"}`)
      .sort(),
  });

  it("brings up the six-node cluster with the previous release (stages under ts-node)", async () => {
    const res = await env.stack.up({ onOutput: () => undefined });
    assert.strictEqual(res.summary.result, "succeeded");
    assert.strictEqual(lab.openstack.snapshot().servers.filter((s) => s.status === "ACTIVE").length, 6);
    const roles = [...lab.cm.state.roles.values()].filter((r) => r.type.startsWith("ECS_"));
    assert.strictEqual(roles.filter((r) => r.state === "STARTED").length, 6);
    assert.strictEqual((await readyNodes()).length, 6);
    assert.match((await storedCommands("ds04-k8s-membership")).delete, /ts-node.*membership\.ts delete$/);
  });

  it("upgrades in place to the compiled program: stage commands updated, nothing in the cluster touched", async () => {
    const before = await clusterFacts();
    copyProgram(program);
    // A setting only the new release reads: no resource changes with it.
    await env.stack.setAllConfigJson(JSON.stringify({ "ecs:drills": stackConfig()["ecs:drills"] }));

    const preview = stepRecorder();
    await env.stack.preview({ onEvent: preview.onEvent });
    const changed = preview.steps.map((s) => `${s.op} ${s.name} (${s.type})`);
    assert.ok(
      preview.steps.every((s) => s.op === "update" && s.type === "command:local:Command"),
      `only the local stage commands are updated in place:\n${changed.join("\n")}`,
    );
    assert.ok(
      preview.steps.some((s) => s.name === "ds04-k8s-membership"),
      `the membership stages are among them:\n${changed.join("\n")}`,
    );

    const up = stepRecorder();
    const res = await env.stack.up({ onEvent: up.onEvent });
    assert.strictEqual(res.summary.result, "succeeded");
    assert.deepStrictEqual(
      up.steps.map((s) => `${s.op} ${s.name}`).sort(),
      preview.steps.map((s) => `${s.op} ${s.name}`).sort(),
      "the update did what the preview showed",
    );
    // The membership's update half only re-checks the cluster: no drain, no role stop, no new Node.
    assert.deepStrictEqual(await clusterFacts(), before);
    assert.deepStrictEqual(await storedCommands("ds04-k8s-membership"), {
      create: "node bin/components/kube/membership.js create",
      delete: "node bin/components/kube/membership.js delete",
    });
  });

  it("rebuilds an agent with drain: evacuate, remove role, host and VM, then rebuild in reverse", async () => {
    const oldVm = lab.openstack.snapshot().servers.find((s) => s.name === "ds04")!;
    await setNode("ds04", { rebuild: 1, evacuation: "drain" });
    const rec = stepRecorder();
    const res = await env.stack.up({ onEvent: rec.onEvent });
    assert.strictEqual(res.summary.result, "succeeded");

    const order = rec.steps.filter((s) => s.name.startsWith("ds04")).map((s) => `${s.op} ${s.name}`);
    const at = (s: string) => {
      const i = order.indexOf(s);
      assert.ok(i >= 0, `missing ${s} in:\n${order.join("\n")}`);
      return i;
    };
    // The data volume is detached only after the role is gone and the VM is off, and attached
    // again before the CM host and role come back.
    const expected = [
      "delete-replaced ds04-k8s-membership",
      "delete-replaced ds04-cm-role",
      "delete-replaced ds04-power",
      "delete-replaced ds04-cm-host",
      "delete-replaced ds04-data-attach",
      "delete-replaced ds04-vm",
      "create-replacement ds04-vm",
      "create-replacement ds04-data-attach",
      "create-replacement ds04-cm-host",
      "create-replacement ds04-power",
      "create-replacement ds04-cm-role",
      "create-replacement ds04-k8s-membership",
    ];
    for (let i = 1; i < expected.length; i++)
      assert.ok(at(expected[i - 1]) < at(expected[i]), `${expected[i - 1]} before ${expected[i]}`);
    assert.ok(
      !rec.steps.some((s) => /^ds0[12356]-(vm|cm-|k8s)/.test(s.name) && s.op !== "same"),
      "no other node touched",
    );

    const newVm = lab.openstack.snapshot().servers.find((s) => s.name === "ds04")!;
    assert.notStrictEqual(newVm.id, oldVm.id);
    // Every detach the simulator saw was from a stopped VM (it refuses one from a running VM).
    const detaches = lab.openstack.detachAudit().filter((d) => d.serverId === oldVm.id);
    assert.ok(detaches.length > 0, "the data volume was detached");
    assert.deepStrictEqual(
      detaches.map((d) => [d.kind, d.serverStatus, d.refused]),
      detaches.map((d) => [d.kind, "SHUTOFF", false]),
    );
    const volume = lab.openstack.snapshot().volumes.find((v) => v.name === "ecs-lab-ds04-data")!;
    assert.strictEqual(
      volume.attachment?.serverId,
      newVm.id,
      "the same data volume is attached to the new VM",
    );
    assert.deepStrictEqual(await readyNodes(), lab.nodes.map((n) => n.hostname).sort());
    const ds04 = await kubectlJson<NodeJson>(["node", "ds04.ecs.openstack.com"]);
    assert.ok(!ds04.spec.unschedulable, "uncordoned");
    const role = [...lab.cm.state.roles.values()].find(
      (r) => r.type === "ECS_AGENT" && lab.cm.state.host(r.hostId).hostname === "ds04.ecs.openstack.com",
    );
    assert.strictEqual(role?.state, "STARTED");

    const lines = fs
      .readFileSync(path.join(records, "records.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const leave = lines.find((l) => l.node === "ds04.ecs.openstack.com" && l.stage === "membership-delete");
    assert.strictEqual(leave?.outcome, "succeeded");
    assert.strictEqual(leave?.evidence.evacuation, "drain");
    // Before/after: six Ready nodes before, five after the Node left; PDB headroom recorded.
    assert.strictEqual(leave?.evidence.clusterBefore.readyNodes.length, 6);
    assert.ok(!leave?.evidence.clusterAfter.readyNodes.includes("ds04.ecs.openstack.com"));
    assert.ok(
      Object.keys(leave?.evidence.clusterBefore.pdbHeadroom).length > 0,
      "the lab workloads have PDBs",
    );
    const back = lines
      .filter((l) => l.node === "ds04.ecs.openstack.com" && l.stage === "membership-create")
      .pop();
    assert.strictEqual(back?.evidence.clusterAfter.readyNodes.length, 6);

    // The run record reads like the runbook: stage 2 (out) then stage 3 (back), each step timed.
    const ds04Steps = lines
      .filter((l) => l.node === "ds04.ecs.openstack.com")
      .sort((a, b) => a.startedAt.localeCompare(b.startedAt))
      .map((l) => `${l.stage} ${l.outcome}`);
    assert.deepStrictEqual(ds04Steps.slice(-9), [
      "membership-delete succeeded",
      "cm-role-delete succeeded",
      "vm-power-off succeeded",
      "cm-host-delete succeeded",
      "cm-host-create succeeded",
      "vm-power-on succeeded",
      "cm-role-create succeeded",
      "membership-create succeeded",
      // The gate before the next node in the roll.
      "node-gate succeeded",
    ]);
    const md = renderRunRecord(lines);
    assert.match(
      md,
      /stage 2: evacuate the node[\s\S]*stage 2: stop and delete the ECS[\s\S]*SHUTOFF confirmed[\s\S]*data volume detached from the stopped VM, the VM deleted and created again[\s\S]*stage 3: add the ECS role[\s\S]*confirm all nodes Ready/,
    );
  });

  it("gate on real preview JSON of the full chain: two servers as a roll (one after the other), one alone with its plan", async () => {
    await setNode("ds01", { rebuild: 1 });
    await setNode("ds02", { rebuild: 1 });
    const two = analyzePreview(
      JSON.parse(env.cli(["preview", "--json", "--show-replacement-steps", "--show-sames"])) as PreviewDigest,
      {
        maxServers: 1,
        maxAgents: 1,
      },
    );
    // The program links ds02's chain to ds01's gate: the engine rolls them, so the gate accepts.
    assert.deepStrictEqual(two.problems, []);
    assert.deepStrictEqual(
      two.nodes.map((n) => [n.name, n.after]),
      [
        ["ds01", []],
        ["ds02", ["ds01"]],
      ],
    );
    assert.match(renderPlan(two, [], "lab"), /Roll, in this order .*: ds01 → ds02[\s\S]*Starts after: ds01/);

    await setNode("ds02", { rebuild: 0 });
    const one = analyzePreview(
      JSON.parse(env.cli(["preview", "--json", "--show-replacement-steps", "--show-sames"])) as PreviewDigest,
      {
        maxServers: 1,
        maxAgents: 1,
      },
    );
    assert.deepStrictEqual(one.problems, []);
    assert.strictEqual(one.accepted, true);
    assert.deepStrictEqual(
      one.nodes.map((n) => [n.name, n.role, n.kind]),
      [["ds01", "server", "rebuild"]],
    );
    assert.match(one.nodes[0].evacuation, /^case 3: drain/);
    const stages = one.nodes[0].steps;
    const first = (s: string) => stages.indexOf(s);
    assert.ok(first("delete-replaced ds01-k8s-membership") >= 0, stages.join("\n"));
    assert.ok(first("delete-replaced ds01-k8s-membership") < first("delete-replaced ds01-cm-role"));
    assert.ok(first("delete-replaced ds01-cm-role") < first("delete-replaced ds01-vm"));
    assert.match(renderPlan(one, [], "lab"), /Gate: passed[\s\S]*### ds01 \(server\): rebuild/);
    // The reviewer sees the VM powered off before its data volume is detached, and attached again
    // before the CM host comes back.
    for (const [a, b] of [
      ["delete-replaced ds01-power", "delete-replaced ds01-data-attach"],
      ["delete-replaced ds01-data-attach", "delete-replaced ds01-vm"],
      ["create-replacement ds01-data-attach", "create-replacement ds01-cm-host"],
    ])
      assert.ok(first(a) >= 0 && first(a) < first(b), `${a} before ${b}:\n${stages.join("\n")}`);
    assert.match(
      renderPlan(one, [], "lab"),
      /power the VM off \(Nova stop, wait for SHUTOFF\)[\s\S]*detach the data volume from the stopped VM[\s\S]*attach the data volume/,
    );
  });

  it("rebuilds an ECS server: etcd member removed the RKE2 way, learner promoted before the update ends", async () => {
    const oldVm = vmOf("ds01");
    await setNode("ds01", { rebuild: 1, evacuation: "drain" });
    const res = await env.stack.up();
    assert.strictEqual(res.summary.result, "succeeded");
    assert.notStrictEqual(vmOf("ds01").id, oldVm.id);
    const leave = recordsOf("ds01.ecs.openstack.com", "membership-delete").pop();
    assert.match(leave.evidence.etcdRemovedMember, /^ds01\.ecs\.openstack\.com-/);
    assert.ok(
      leave.evidence["etcdMembers before member removal"].every((m: { ready: boolean }) => m.ready),
      "all members healthy before",
    );
    const join = recordsOf("ds01.ecs.openstack.com", "membership-create").pop();
    assert.ok(
      join.evidence.etcdMembersAfter.some(
        (m: { node: string; voter: string }) => m.node === "ds01.ecs.openstack.com" && m.voter === "True",
      ),
    );
    assert.strictEqual(lab.rke2.members.get("ds01.ecs.openstack.com"), "voter");
    assert.deepStrictEqual(await readyNodes(), lab.nodes.map((n) => n.hostname).sort());
    // The new Node object carries the operator's evacuation mode, as the old one did.
    const rebuilt = await kubectlJson<{ metadata: { annotations?: Record<string, string> } }>([
      "node",
      "ds01.ecs.openstack.com",
    ]);
    assert.strictEqual(rebuilt.metadata.annotations?.["ecs.cloudera.com/evacuation"], "drain");
  });

  it("refuses a rejoin whose SSH host key is wrong in the preflight, before anything is taken down", async () => {
    const role = ecsRoleOf("ds02.ecs.openstack.com");
    const vm = vmOf("ds02");
    // ds03's key: what a stale or mistyped entry looks like.
    await setNode("ds02", { rejoin: 1, sshHostKey: lab.ssh.hostKeys.ds03 });
    const rec = stepRecorder();
    await assert.rejects(env.stack.up({ onEvent: rec.onEvent }), /ds02-rke2-preflight/);
    const removed = rec.steps.filter((s) => s.name.startsWith("ds02-") && /delete/.test(s.op));
    assert.deepStrictEqual(removed, [], "nothing of ds02 was deleted");
    assert.strictEqual(ecsRoleOf("ds02.ecs.openstack.com")?.name, role?.name, "CM role untouched");
    assert.strictEqual(ecsRoleOf("ds02.ecs.openstack.com")?.state, "STARTED");
    assert.strictEqual(vmOf("ds02").id, vm.id);
    assert.deepStrictEqual(await readyNodes(), lab.nodes.map((n) => n.hostname).sort());
  });

  it("rejoins a server without rebuild: out of Kubernetes and CM, RKE2 wiped over SSH, role re-added, voter again", async () => {
    const vm = vmOf("ds02");
    const hostId = [...lab.cm.state.hosts.values()].find(
      (h) => h.hostname === "ds02.ecs.openstack.com",
    )?.hostId;
    await setNode("ds02", { rejoin: 1, sshHostKey: lab.ssh.hostKeys.ds02 });

    // What the reviewer sees: a rejoin of ds02, evacuated first, the VM kept.
    const plan = analyzePreview(
      JSON.parse(env.cli(["preview", "--json", "--show-replacement-steps", "--show-sames"])) as PreviewDigest,
      { maxServers: 1, maxAgents: 1 },
    );
    assert.deepStrictEqual(plan.problems, []);
    assert.deepStrictEqual(
      plan.nodes.map((n) => [n.name, n.role, n.kind]),
      [["ds02", "server", "rejoin"]],
    );
    assert.ok(!plan.nodes[0].steps.some((x) => /ds02-(vm|cm-host)$/.test(x)), plan.nodes[0].steps.join("\n"));

    const rec = stepRecorder();
    const res = await env.stack.up({ onEvent: rec.onEvent });
    assert.strictEqual(res.summary.result, "succeeded");
    const order = rec.steps.filter((x) => x.name.startsWith("ds02")).map((x) => `${x.op} ${x.name}`);
    const at = (x: string) => {
      const i = order.indexOf(x);
      assert.ok(i >= 0, `missing ${x} in:\n${order.join("\n")}`);
      return i;
    };
    const expected = [
      "create-replacement ds02-rke2-preflight",
      "delete-replaced ds02-k8s-membership",
      "delete-replaced ds02-cm-role",
      "delete-replaced ds02-rke2-prep",
      "create-replacement ds02-rke2-prep",
      "create-replacement ds02-cm-role",
      "create-replacement ds02-k8s-membership",
    ];
    for (let i = 1; i < expected.length; i++)
      assert.ok(
        at(expected[i - 1]) < at(expected[i]),
        `${expected[i - 1]} before ${expected[i]}:\n${order.join("\n")}`,
      );
    assert.ok(
      !order.some((x) => /ds02-(vm|cm-host|data)/.test(x) && !x.startsWith("same")),
      "machine and CM host kept",
    );

    assert.strictEqual(vmOf("ds02").id, vm.id, "same VM");
    assert.strictEqual(
      [...lab.cm.state.hosts.values()].find((h) => h.hostname === "ds02.ecs.openstack.com")?.hostId,
      hostId,
      "same CM host",
    );
    assert.strictEqual(lab.rke2.members.get("ds02.ecs.openstack.com"), "voter");
    assert.deepStrictEqual(await readyNodes(), lab.nodes.map((n) => n.hostname).sort());
    const leave = recordsOf("ds02.ecs.openstack.com", "membership-delete").pop();
    assert.match(leave.evidence.etcdRemovedMember, /^ds02\.ecs\.openstack\.com-/);

    // The run record of this change is a stack output, ending with the passed health gate.
    const outputs = await env.stack.outputs();
    const record = outputs.runRecord.value as Array<{ node: string; stage: string; outcome: string }>;
    const stages = record.map((r) => `${r.node} ${r.stage} ${r.outcome}`);
    assert.ok(stages.includes("ds02.ecs.openstack.com membership-delete succeeded"), stages.join("\n"));
    assert.ok(stages.includes("ds02.ecs.openstack.com membership-create succeeded"), stages.join("\n"));
    assert.strictEqual(stages[stages.length - 1], "cluster health-gate succeeded");
    assert.ok(!stages.some((x) => x.startsWith("ds01")), `only this change's records:\n${stages.join("\n")}`);
  });

  it("stops when a PodDisruptionBudget blocks the drain, names the blocker, touches nothing, and converges once it is lifted", async () => {
    const blocker = {
      apiVersion: "v1",
      kind: "List",
      items: [
        { apiVersion: "v1", kind: "Namespace", metadata: { name: "pdb-test" } },
        {
          apiVersion: "apps/v1",
          kind: "Deployment",
          metadata: { name: "singleton", namespace: "pdb-test" },
          spec: {
            replicas: 1,
            selector: { matchLabels: { app: "singleton" } },
            template: {
              metadata: { labels: { app: "singleton" } },
              spec: {
                nodeSelector: { "kubernetes.io/hostname": "ds05.ecs.openstack.com" },
                tolerations: [{ operator: "Exists" }],
                containers: [{ name: "app", image: "registry.lab/app:1" }],
              },
            },
          },
        },
        {
          apiVersion: "policy/v1",
          kind: "PodDisruptionBudget",
          metadata: { name: "singleton-pdb", namespace: "pdb-test" },
          spec: { minAvailable: 1, selector: { matchLabels: { app: "singleton" } } },
        },
      ],
    };
    await lab.kube.kubectl.ok(["apply", "-f", "-"], { input: JSON.stringify(blocker) });
    await lab.kube.kubectl.ok([
      "rollout",
      "status",
      "-n",
      "pdb-test",
      "deployment/singleton",
      "--timeout=120s",
    ]);
    const oldVm = vmOf("ds05");
    await setNode("ds05", { rebuild: 1, evacuation: "drain" });
    await assert.rejects(env.stack.up(), (e: Error) => {
      assert.match(e.message, /drain of ds05\.ecs\.openstack\.com did not finish/);
      assert.match(
        e.message,
        /pod pdb-test\/singleton-[a-z0-9-]+ \(PDB pdb-test\/singleton-pdb allows 0 disruption\(s\)\)/,
      );
      assert.match(e.message, /Nothing else was changed/);
      return true;
    });
    assert.strictEqual(vmOf("ds05").id, oldVm.id, "VM untouched");
    assert.strictEqual(ecsRoleOf("ds05.ecs.openstack.com")?.state, "STARTED", "CM role untouched");
    const node = await kubectlJson<NodeJson>(["node", "ds05.ecs.openstack.com"]);
    assert.ok(!node.spec.unschedulable, "node uncordoned again");

    await lab.kube.kubectl.ok(["delete", "pdb", "-n", "pdb-test", "singleton-pdb"]);
    const res = await env.stack.up();
    assert.strictEqual(res.summary.result, "succeeded");
    assert.notStrictEqual(vmOf("ds05").id, oldVm.id, "re-run converged: ds05 rebuilt");
    assert.deepStrictEqual(await readyNodes(), lab.nodes.map((n) => n.hostname).sort());
    await lab.kube.kubectl.ok(["delete", "namespace", "pdb-test", "--wait=false"]);
  });

  it("case 1: a node that died is deleted from Kubernetes (delete-node), then rebuilt", async () => {
    lab.openstack.faults.crashServer(vmOf("ds06").id);
    await waitNotReady("ds06.ecs.openstack.com");
    await setNode("ds06", { rebuild: 1, evacuation: "delete-node" });
    const res = await env.stack.up();
    assert.strictEqual(res.summary.result, "succeeded");
    const leave = recordsOf("ds06.ecs.openstack.com", "membership-delete").pop();
    assert.strictEqual(leave.evidence.evacuation, "delete-node");
    assert.deepStrictEqual(await readyNodes(), lab.nodes.map((n) => n.hostname).sort());
  });

  it("auto: a dead node whose VM Nova reports off gets the out-of-service path, recorded with its evidence", async () => {
    lab.openstack.faults.crashServer(vmOf("ds04").id);
    await waitNotReady("ds04.ecs.openstack.com");
    await setNode("ds04", { rebuild: 2, evacuation: "auto" });
    const res = await env.stack.up();
    assert.strictEqual(res.summary.result, "succeeded");
    const leave = recordsOf("ds04.ecs.openstack.com", "membership-delete").pop();
    assert.strictEqual(leave.evidence.autoChoice.mode, "out-of-service");
    assert.strictEqual(leave.evidence.evidence.vm.status, "SHUTOFF");
    assert.deepStrictEqual(await readyNodes(), lab.nodes.map((n) => n.hostname).sort());
    const node = await kubectlJson<{ spec: { taints?: Array<{ key: string }> } }>([
      "node",
      "ds04.ecs.openstack.com",
    ]);
    assert.ok(
      !(node.spec.taints ?? []).some((t) => t.key === "node.kubernetes.io/out-of-service"),
      "taint lifted",
    );
  });
});
