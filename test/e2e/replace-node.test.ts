import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startEcsLab, type EcsLab } from "../../lab/ecs";
import { labStackConfig } from "../../lab/ecs/stackConfig";
import { OsClient } from "../openstack/client";
import { copyProgram } from "../../tools/programCopy";
import { EngineStack, openStack, stepRecorder } from "../support/engine";

const OS_PASSWORD = "lab-openstack-password";
const CM_PASSWORD = "lab-cm-password";

interface NodeJson {
  metadata: { name: string };
  spec: { unschedulable?: boolean };
  status: { conditions: Array<{ type: string; status: string }> };
}

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
  const setNode = async (name: string, fields: Record<string, unknown>) => {
    const config = labStackConfig({
      openstack: lab.openstack,
      openstackPassword: OS_PASSWORD,
      cmUrl: lab.cm.url,
      cmPassword: CM_PASSWORD,
      cmCaFile: lab.cmCaFile,
      kubeconfig: lab.kube.kubeconfig,
      runRecordDir: records,
      nodes: { [name]: fields },
    });
    await env.stack.setAllConfigJson(JSON.stringify({ "ecs:nodes": config["ecs:nodes"] }));
  };

  before(async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ecs-e2e-"));
    lab = await startEcsLab({
      dir: path.join(tmp, "lab"),
      openstackPassword: OS_PASSWORD,
      cmPassword: CM_PASSWORD,
      log: (m) => console.log(`  [lab] ${m}`),
    });
    const osClient = new OsClient(lab.openstack);
    await osClient.authenticate(OS_PASSWORD);
    await osClient.compute("POST", "/os-keypairs", {
      keypair: { name: "ecs-admin", public_key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB0v lab" },
    });
    program = copyProgram(path.join(tmp, "program"));
    records = path.join(tmp, "records");
    env = await openStack(program, "lab");
    await env.stack.setAllConfigJson(
      JSON.stringify(
        labStackConfig({
          openstack: lab.openstack,
          openstackPassword: OS_PASSWORD,
          cmUrl: lab.cm.url,
          cmPassword: CM_PASSWORD,
          cmCaFile: lab.cmCaFile,
          kubeconfig: lab.kube.kubeconfig,
          runRecordDir: records,
        }),
      ),
    );
  });

  after(async () => {
    await env?.dispose();
    await lab?.stop();
  });

  it("brings up the six-node cluster: VMs, CM hosts and roles, Kubernetes members", async () => {
    const res = await env.stack.up({ onOutput: () => undefined });
    assert.strictEqual(res.summary.result, "succeeded");
    assert.strictEqual(lab.openstack.snapshot().servers.filter((s) => s.status === "ACTIVE").length, 6);
    const roles = [...lab.cm.state.roles.values()].filter((r) => r.type.startsWith("ECS_"));
    assert.strictEqual(roles.filter((r) => r.state === "STARTED").length, 6);
    assert.strictEqual((await readyNodes()).length, 6);
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
    const expected = [
      "delete-replaced ds04-k8s-membership",
      "delete-replaced ds04-cm-role",
      "delete-replaced ds04-cm-host",
      "delete-replaced ds04-vm",
      "create-replacement ds04-vm",
      "create-replacement ds04-cm-host",
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
  });
});
