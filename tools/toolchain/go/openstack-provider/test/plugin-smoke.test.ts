// Runs the built pulumi-resource-openstack plugin as the engine would (a gRPC server that prints
// its port) and calls it directly: GetSchema, then Check on resources the project uses.
import * as assert from "assert";
import { checkResource, getSchema, RunningPlugin, startPlugin } from "../scripts/plugin-client";
import { pluginBinary, requireArtifact } from "./artifacts";

describe("openstack toolchain: pulumi-resource-openstack plugin over gRPC", function () {
  this.timeout(60000);
  let plugin: RunningPlugin | undefined;

  before(async function () {
    requireArtifact(this, pluginBinary);
    plugin = await startPlugin(pluginBinary);
  });
  after(() => plugin?.stop());

  it("serves the embedded 3.15.2 schema with the SDK's tokens", async () => {
    const schema = await getSchema(plugin!.client);
    assert.strictEqual(schema.name, "openstack");
    assert.strictEqual(schema.version, "3.15.2");
    for (const token of [
      "openstack:compute/instance:Instance",
      "openstack:networking/port:Port",
      "openstack:blockstorage/volume:Volume",
    ]) {
      assert.ok(schema.resources?.[token], `resource ${token}`);
    }
    assert.ok(schema.functions?.["openstack:networking/getNetwork:getNetwork"]);
    assert.strictEqual(schema.provider?.inputProperties?.password?.secret, true);
  });

  it("accepts an SDK-shaped Instance and auto-names it", async () => {
    const result = await checkResource(plugin!.client, "openstack:compute/instance:Instance", "ecs-agent-1", {
      flavorName: "m1.large",
      imageName: "rhel-8.8",
      keyPair: "ecs",
      networks: [{ port: "4f0e7e8d-0000-4000-8000-000000000001" }],
      schedulerHints: [{ group: "1b0e7e8d-0000-4000-8000-000000000002" }],
    });
    assert.deepStrictEqual(result.failures, []);
    assert.match(String(result.inputs.name), /^ecs-agent-1-[a-z0-9]+$/);
    // The bridge fills Terraform defaults into the block (accessNetwork: false) and keeps our port.
    const networks = result.inputs.networks as { port?: string; accessNetwork?: boolean }[];
    assert.strictEqual(networks.length, 1);
    assert.strictEqual(networks[0].port, "4f0e7e8d-0000-4000-8000-000000000001");
    assert.strictEqual(networks[0].accessNetwork, false);
  });

  it("reports the required inputs a SecGroupRule lacks, under their SDK names", async () => {
    const result = await checkResource(
      plugin!.client,
      "openstack:networking/secGroupRule:SecGroupRule",
      "ssh",
      {
        protocol: "tcp",
      },
    );
    const missing = result.failures.map((f) => f.reason).join("\n");
    for (const name of ["direction", "ethertype", "securityGroupId"]) {
      assert.match(missing, new RegExp(name), `failure naming ${name}`);
    }
  });
});
