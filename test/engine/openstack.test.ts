import * as assert from "assert";
import * as path from "path";
import { startOpenStackSimulator, type OpenStackSimulator } from "../../lab/openstack/server";
import { OsClient } from "../openstack/client";
import { EngineStack, openStack, stepRecorder } from "../support/engine";
import { LAB_FLAVORS, LAB_NODES, labStackConfig } from "../support/labConfig";

const PASSWORD = "engine-test-openstack-pw";

/**
 * The real OpenStack provider, driven by the real engine, against the simulator: the program's
 * OpenStack resources for six nodes, one VM replaced (port, fixed IP and volume kept), refresh
 * without drift, destroy to an empty cloud.
 */
describe("engine + OpenStack simulator: six nodes, rebuild one, refresh, destroy", function () {
  this.timeout(15 * 60_000);
  let sim: OpenStackSimulator;
  let env: EngineStack;
  let os: OsClient;

  const servers = () => sim.snapshot().servers;
  const serverNamed = (name: string) => servers().find((s) => s.name === name);

  before(async () => {
    sim = await startOpenStackSimulator({
      password: PASSWORD,
      bootDelayMs: 300,
      seed: { flavors: LAB_FLAVORS, hypervisors: 6 },
    });
    os = new OsClient(sim);
    await os.authenticate(PASSWORD);
    const kp = await os.compute("POST", "/os-keypairs", {
      keypair: {
        name: "ecs-admin",
        public_key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB0v5p4v3P0m2l9c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f lab",
      },
    });
    assert.ok([200, 201].includes(kp.status), kp.text);
    env = await openStack(path.join(__dirname, "fixtures", "openstack-only"), "os");
    await env.stack.setAllConfigJson(JSON.stringify(labStackConfig(sim, PASSWORD, "https://127.0.0.1:7183")));
  });

  after(async () => {
    await env?.dispose();
    await sim?.stop();
  });

  it("creates every OpenStack resource of the six nodes", async () => {
    const res = await env.stack.up();
    assert.strictEqual(res.summary.result, "succeeded");
    const vms = servers();
    assert.deepStrictEqual(
      vms.map((s) => s.name).sort(),
      LAB_NODES.map((n) => n.name),
    );
    assert.ok(vms.every((s) => s.status === "ACTIVE"));
    const state = sim.snapshot();
    for (const n of LAB_NODES) {
      const port = state.ports.find((p) => p.fixedIps.some((f) => f.ipAddress === n.ip));
      assert.ok(port, `port with ${n.ip}`);
      assert.strictEqual(port.deviceId, serverNamed(n.name)?.id, `${n.name}'s port is bound to its VM`);
    }
    assert.strictEqual(state.volumes.filter((v) => v.status === "in-use").length, 6);
    const groups = state.serverGroups.map((g) => [g.name, g.policy]).sort();
    assert.deepStrictEqual(groups, [
      ["ecs-lab-agents", "soft-anti-affinity"],
      ["ecs-lab-servers", "anti-affinity"],
    ]);
    const serverHosts = LAB_NODES.filter((n) => n.role === "server").map((n) => serverNamed(n.name)?.host);
    assert.strictEqual(new Set(serverHosts).size, 3, "ECS servers on three different hypervisors");
  });

  it("replaces one VM delete-before-replace, keeping its port, IP and data volume", async () => {
    const before = sim.snapshot();
    const oldVm = serverNamed("ds02")!;
    const port = before.ports.find((p) => p.deviceId === oldVm.id)!;
    const volume = before.volumes.find((v) => v.attachment?.serverId === oldVm.id)!;

    const nodes = LAB_NODES.map((n) => ({
      ...n,
      rebuild: n.name === "ds02" ? 1 : 0,
      rejoin: 0,
      evacuation: "drain",
    }));
    await env.stack.setAllConfigJson(
      JSON.stringify({ "ecs:nodes": { value: JSON.stringify(nodes), objectValue: nodes } }),
    );
    const rec = stepRecorder();
    const res = await env.stack.up({ onEvent: rec.onEvent });
    assert.strictEqual(res.summary.result, "succeeded");

    const newVm = serverNamed("ds02")!;
    assert.notStrictEqual(newVm.id, oldVm.id, "a new VM");
    const after = sim.snapshot();
    const portNow = after.ports.find((p) => p.id === port.id)!;
    assert.strictEqual(portNow.deviceId, newVm.id, "the same port is bound to the new VM");
    assert.deepStrictEqual(portNow.fixedIps, port.fixedIps, "fixed IP kept");
    const volNow = after.volumes.find((v) => v.id === volume.id)!;
    assert.strictEqual(volNow.attachment?.serverId, newVm.id, "data volume re-attached");
    assert.strictEqual(servers().length, 6);

    const order = rec.steps.map((s) => `${s.op} ${s.name}`);
    const at = (s: string) => {
      const i = order.indexOf(s);
      assert.ok(i >= 0, `missing ${s} in ${order.join(", ")}`);
      return i;
    };
    assert.ok(at("delete-replaced ds02-data-attach") < at("delete-replaced ds02-vm"));
    assert.ok(at("delete-replaced ds02-vm") < at("create-replacement ds02-vm"));
    assert.ok(at("create-replacement ds02-vm") < at("create-replacement ds02-data-attach"));
    assert.ok(!order.some((s) => /ds0[13456]-vm/.test(s)), "no other VM touched");
    assert.ok(!order.some((s) => /ds02-(port|data)$/.test(s)), "port and volume never replaced");
  });

  it("refresh finds no drift", async () => {
    await env.stack.refresh();
    const res = await env.stack.preview();
    const changed = Object.entries(res.changeSummary).filter(([op, n]) => op !== "same" && n > 0);
    assert.deepStrictEqual(changed, [], res.stdout);
  });

  it("destroy leaves the simulator empty", async () => {
    const res = await env.stack.destroy();
    assert.strictEqual(res.summary.result, "succeeded");
    // The key pair is the test's own (the program only refers to it by name).
    assert.strictEqual((await os.compute("DELETE", "/os-keypairs/ecs-admin")).status, 202);
    assert.ok(sim.isEmpty(), JSON.stringify(sim.summary()));
  });
});
