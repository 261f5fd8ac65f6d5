import * as assert from "assert";
import * as path from "path";
import { startOpenStackSimulator, type OpenStackSimulator } from "../../lab/openstack/server";
import { analyzePreview, PreviewDigest } from "../../tools/preview-gate/analyze";
import { renderPlan } from "../../tools/preview-gate/render";
import { OsClient } from "../openstack/client";
import { EngineStack, openStack } from "../support/engine";
import { LAB_FLAVORS, LAB_NODES, labStackConfig } from "../support/labConfig";

const PASSWORD = "engine-test-gate-pw";

/**
 * The gate on real `pulumi preview --json` output of the program's machines (stage chain off):
 * it must refuse two servers at once (without stages nothing links their chains into a roll), and
 * refuse any node removal without its evacuation stage.
 */
describe("engine: preview gate on real preview JSON (machines only)", function () {
  this.timeout(15 * 60_000);
  let sim: OpenStackSimulator;
  let env: EngineStack;

  const previewWithRebuilds = async (names: string[]): Promise<PreviewDigest> => {
    const nodes = LAB_NODES.map((n) => ({ ...n, rebuild: names.includes(n.name) ? 1 : 0 }));
    await env.stack.setAllConfigJson(
      JSON.stringify({ "ecs:nodes": { value: JSON.stringify(nodes), objectValue: nodes } }),
    );
    return JSON.parse(env.cli(["preview", "--json", "--show-replacement-steps"])) as PreviewDigest;
  };

  before(async () => {
    sim = await startOpenStackSimulator({
      password: PASSWORD,
      bootDelayMs: 100,
      seed: {
        flavors: LAB_FLAVORS,
        hypervisors: 6,
        images: [{ name: "rhel-8.8-ecs" }, { name: "rhel-8.10-ecs" }],
      },
    });
    const os = new OsClient(sim);
    await os.authenticate(PASSWORD);
    await os.compute("POST", "/os-keypairs", {
      keypair: { name: "ecs-admin", public_key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB0v lab" },
    });
    env = await openStack(path.join(__dirname, "fixtures", "openstack-only"), "gate");
    await env.stack.setAllConfigJson(JSON.stringify(labStackConfig(sim, PASSWORD, "https://127.0.0.1:7183")));
    assert.strictEqual((await env.stack.up()).summary.result, "succeeded");
  });

  after(async () => {
    await env?.stack.destroy().catch(() => undefined);
    await env?.dispose();
    await sim?.stop();
  });

  it("rejects rebuilding two ECS servers in one update when nothing rolls them one after the other", async () => {
    const digest = await previewWithRebuilds(["ds01", "ds02"]);
    const result = analyzePreview(digest, { maxServers: 1, maxAgents: 1 });
    assert.strictEqual(result.accepted, false);
    assert.deepStrictEqual(result.nodes.map((n) => [n.name, n.role, n.kind]).sort(), [
      ["ds01", "server", "rebuild"],
      ["ds02", "server", "rebuild"],
    ]);
    assert.ok(
      result.problems.some((p) =>
        /2 ECS servers would be out at the same time \(of ds0[12], ds0[12]\)/.test(p),
      ),
      result.problems.join("\n"),
    );
    const plan = renderPlan(result, [], "gate");
    assert.match(plan, /Gate: REJECTED/);
    assert.match(plan, /### ds01 \(server\): rebuild/);
  });

  it("rejects removing a node whose evacuation stage is missing, naming the removal", async () => {
    const digest = await previewWithRebuilds(["ds04"]);
    const result = analyzePreview(digest, { maxServers: 1, maxAgents: 1 });
    assert.strictEqual(result.accepted, false);
    assert.strictEqual(result.nodes.length, 1);
    const steps = result.nodes[0].steps;
    assert.match(
      result.problems[0],
      /^ds04: "delete-replaced ds04-(vm|data-attach|power)" would run without its Kubernetes membership stage/,
      steps.join("\n"),
    );
    assert.ok(
      steps.includes("delete-replaced ds04-vm") && steps.includes("create-replacement ds04-vm"),
      steps.join("\n"),
    );
  });

  it("a new image or agent flavor replaces each VM (the provider would rebuild or resize it in place)", async () => {
    const config = labStackConfig(sim, PASSWORD, "https://127.0.0.1:7183");
    const openstack = {
      ...(config["ecs:openstack"].objectValue as object),
      image: "rhel-8.10-ecs",
      agentFlavor: LAB_FLAVORS[2].name,
    };
    await env.stack.setAllConfigJson(
      JSON.stringify({ "ecs:openstack": { value: JSON.stringify(openstack), objectValue: openstack } }),
    );
    try {
      const digest = await previewWithRebuilds([]);
      const vmSteps = (digest.steps ?? []).filter((s) => s.urn.endsWith("-vm"));
      const ops = (node: string) => vmSteps.filter((s) => s.urn.endsWith(`::${node}-vm`)).map((s) => s.op);
      for (const n of LAB_NODES) {
        assert.deepStrictEqual(ops(n.name), ["delete-replaced", "replace", "create-replacement"], n.name);
      }
      const agentVm = vmSteps.find((s) => s.urn.endsWith("::ds04-vm") && s.op === "replace");
      assert.deepStrictEqual(agentVm?.replaceReasons?.sort(), ["flavorName", "imageName"]);
      const result = analyzePreview(digest, { maxServers: 1, maxAgents: 1 });
      assert.deepStrictEqual(result.inPlace, []);
      assert.strictEqual(result.nodes.length, LAB_NODES.length);
    } finally {
      await env.stack.setAllConfigJson(JSON.stringify({ "ecs:openstack": config["ecs:openstack"] }));
    }
  });

  it("accepts an update that takes no node out", async () => {
    const digest = await previewWithRebuilds([]);
    const result = analyzePreview(digest, { maxServers: 1, maxAgents: 1 });
    assert.deepStrictEqual(result, { nodes: [], inPlace: [], problems: [], accepted: true });
  });
});
