import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { missingCredentials, resolveOpenStackAuth } from "../../components/openstack/auth";
import { powerEvidence, vmConfirmedOff } from "../../components/openstack/nova";
import { powerOff, powerOn, VmPowerInputs } from "../../components/openstack/powerStage";
import { RunRecord } from "../../components/kube/runRecord";
import type { OpenStackSimulator } from "../../lab/openstack/server";
import { OsClient, PASSWORD, startSim, str } from "./client";
import { pollUntil, seeded } from "./fixtures";

/**
 * The stages' own Nova client against the simulator, with the credentials resolved from the
 * provider settings the way a stack gives them (no OS_* variables): what the membership stage's
 * evidence, the VM power stage and the health gate rely on.
 */
describe("stages' Nova client (credentials from the stack's OpenStack provider settings)", () => {
  let sim: OpenStackSimulator;
  let client: OsClient;
  const ids: Record<string, string> = {};
  const settings = (project?: string) => ({ ...sim.providerConfig(project), password: PASSWORD });
  const auth = (project?: string) =>
    resolveOpenStackAuth(
      Object.fromEntries(
        Object.entries(settings(project)).map(([k, v]) => [k.replace(/^openstack:/, ""), v]),
      ),
      {},
    );
  const siblings = { clusterName: "ecs-test", names: ["ds01", "ds02"] };
  const statusOf = async (id: string) =>
    str((await client.compute("GET", `/servers/${id}`)).body, "server", "status");

  before(async () => {
    ({ sim, os: client } = await startSim({ powerDelayMs: 200 }));
    const s = await seeded(client);
    for (const name of ["ds01", "ds02", "ds03"]) {
      const r = await client.compute("POST", "/servers", {
        server: {
          name,
          imageRef: s.image,
          flavorRef: s.serverFlavor,
          networks: [{ uuid: s.network }],
          metadata: { "ecs-cluster": "ecs-test" },
        },
      });
      ids[name] = str(r.body, "server", "id");
    }
    for (const id of Object.values(ids))
      await pollUntil(
        () => statusOf(id),
        (st) => st === "ACTIVE",
      );
  });

  after(async () => sim?.stop());

  it("reads a running VM's status and only SHUTOFF counts as off", async () => {
    const e = await powerEvidence(auth(), ids.ds03, siblings);
    assert.deepStrictEqual([e.source, "status" in e && e.status], ["nova", "ACTIVE"]);
    assert.strictEqual(vmConfirmedOff(e), false);
    for (const status of ["ERROR", "PAUSED", "SUSPENDED"])
      assert.strictEqual(vmConfirmedOff({ source: "nova", status }), false, status);
    assert.strictEqual(vmConfirmedOff({ source: "nova", status: "SHUTOFF" }), true);
  });

  it("calls a VM gone on a 404 only when the same token sees the cluster's other VMs", async () => {
    const gone = await powerEvidence(auth(), "5b1c6e8e-0000-4000-8000-000000000000", siblings);
    assert.deepStrictEqual(gone, { source: "nova", status: "GONE", visibleSiblings: ["ds01", "ds02"] });
    assert.strictEqual(vmConfirmedOff(gone), true);
    // Another project's token (a mistyped openstack:tenantName) sees a 404 for everything.
    const blind = await powerEvidence(auth("ecs-other"), ids.ds03, siblings);
    assert.strictEqual(blind.source, "unavailable");
    assert.match(
      blind.source === "unavailable" ? blind.reason : "",
      /answered 404 .* sees none of the cluster's other VMs .*wrong project or region/,
    );
  });

  it("cannot be asked in a region that has no compute endpoint, or with wrong credentials", async () => {
    const region = await powerEvidence({ ...auth(), region: "RegionTwo" }, ids.ds03, siblings);
    assert.match(
      region.source === "unavailable" ? region.reason : "",
      /no public compute endpoint in region RegionTwo/,
    );
    const refused = await powerEvidence({ ...auth(), password: "wrong" }, ids.ds03, siblings);
    assert.match(
      refused.source === "unavailable" ? refused.reason : "",
      /Keystone answered 401 .*credentials refused/,
    );
  });

  it("VM power stage: powers the VM off and waits for SHUTOFF (then a detach is allowed), and back on", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ecs-power-"));
    const inputs: VmPowerInputs = {
      node: "ds03.ecs.example.com",
      serverName: "ds03",
      instanceId: ids.ds03,
      upstream: "host-id",
      clusterName: "ecs-test",
      siblings: ["ds01", "ds02"],
      openstackAuth: JSON.stringify(auth()),
    };
    const off = new RunRecord(dir, inputs.node, "vm-power-off");
    await powerOff(inputs, off);
    assert.strictEqual(await statusOf(ids.ds03), "SHUTOFF");
    assert.strictEqual(off.entry.evidence.statusBefore, "ACTIVE");
    await powerOff(inputs, new RunRecord(dir, inputs.node, "vm-power-off")); // already off: nothing to do
    await powerOn(inputs, new RunRecord(dir, inputs.node, "vm-power-on"));
    assert.strictEqual(await statusOf(ids.ds03), "ACTIVE");
    await assert.rejects(
      powerOff({ ...inputs, openstackAuth: JSON.stringify(auth("ecs-other")) }, off),
      /404 .* sees none of the cluster's other VMs.*Nothing was detached/,
    );
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("OpenStack credentials resolved as the provider resolves them", () => {
  it("takes openstack:* config first, then OS_* variables, then the clouds.yaml entry", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ecs-clouds-"));
    const clouds = path.join(dir, "clouds.yaml");
    fs.writeFileSync(
      clouds,
      [
        "clouds:",
        "  lab:",
        "    auth: { auth_url: https://keystone.yaml:5000/v3, username: from-yaml, password: yaml-pw, project_name: p }",
        "    region_name: YamlRegion",
        "    verify: false",
      ].join("\n"),
    );
    const env = { OS_CLIENT_CONFIG_FILE: clouds, OS_REGION_NAME: "EnvRegion" };
    const a = resolveOpenStackAuth({ cloud: "lab", userName: "from-config" }, env);
    assert.strictEqual(a.authUrl, "https://keystone.yaml:5000/v3");
    assert.strictEqual(a.userName, "from-config");
    assert.strictEqual(a.region, "EnvRegion");
    assert.strictEqual(a.password, "yaml-pw");
    assert.strictEqual(a.insecure, true);
    assert.strictEqual(missingCredentials(a), undefined);
    assert.throws(
      () => resolveOpenStackAuth({ cloud: "nope" }, env),
      /openstack:cloud: no cloud named "nope"/,
    );
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("names the missing key and the fix", () => {
    assert.throws(
      () => resolveOpenStackAuth({}, {}),
      /openstack:authUrl: is not set .*Fix: `pulumi config set openstack:authUrl/,
    );
    assert.match(
      missingCredentials(resolveOpenStackAuth({ authUrl: "https://k:5000/v3", userName: "u" }, {})) ?? "",
      /openstack:password: no OpenStack credentials for the stages.*pulumi config set --secret openstack:password/,
    );
  });
});
