// The second project ("ecs-other"): a token scoped to it sees none of project "ecs"'s servers or
// volumes, so a Nova 404 through it says nothing about whether the lab's VM is gone.
import { strict as assert } from "node:assert";
import type { OpenStackSimulator } from "../../lab/openstack/server";
import { arr, at, OsClient, OTHER_ACCOUNT, PASSWORD, startSim, str } from "./client";
import { bootServer, createVolume, seeded, type Seeded } from "./fixtures";

describe("openstack simulator: a second project for visibility tests", () => {
  let sim: OpenStackSimulator;
  let os: OsClient;
  let other: OsClient;
  let s: Seeded;

  beforeEach(async () => {
    ({ sim, os } = await startSim());
    s = await seeded(os);
    other = new OsClient(sim, OTHER_ACCOUNT);
    assert.equal((await other.authenticate()).status, 201);
  });
  afterEach(() => sim.stop());

  const names = async (client: OsClient, path: string): Promise<unknown[]> =>
    arr((await client.compute("GET", path)).body, "servers").map((x) => at(x, "name"));

  it("ecs-other-user gets a token for ecs-other (same password), with its own Cinder URL; no cross scoping", async () => {
    const snap = sim.snapshot();
    const account = snap.otherAccounts[0];
    assert.deepEqual([account.project.name, account.user.name], ["ecs-other", "ecs-other-user"]);
    assert.notEqual(account.project.id, snap.project.id);
    assert.equal(other.projectId, account.project.id);
    const r = await other.authenticate();
    assert.equal(str(r.body, "token", "user", "name"), "ecs-other-user");
    const volumev3 = (arr(r.body, "token", "catalog") as Record<string, unknown>[]).find(
      (c) => c.type === "volumev3",
    );
    assert.equal(str(volumev3, "endpoints", 0, "url"), `${sim.url}/volume/v3/${account.project.id}`);
    const cross = async (user: string, project: string): Promise<number> =>
      (
        await os.raw("POST", `${sim.authUrl}/auth/tokens`, {
          auth: {
            identity: {
              methods: ["password"],
              password: { user: { name: user, domain: { name: "Default" }, password: PASSWORD } },
            },
            scope: { project: { name: project, domain: { name: "Default" } } },
          },
        })
      ).status;
    assert.equal(await cross("ecs-admin", "ecs-other"), 401);
    assert.equal(await cross("ecs-other-user", "ecs"), 401);
    assert.deepEqual(sim.providerConfig("ecs-other")["openstack:userName"], "ecs-other-user");
    assert.deepEqual(sim.providerConfig()["openstack:tenantName"], "ecs");
  });

  it("a token for ecs-other gets Nova's 404 for an ecs server and empty lists", async () => {
    const id = await bootServer(os, s, "ecs-server-1");
    const r = await other.compute("GET", `/servers/${id}`);
    assert.equal(r.status, 404);
    assert.deepEqual(r.body, { itemNotFound: { code: 404, message: `Instance ${id} could not be found.` } });
    assert.deepEqual(await names(other, "/servers/detail"), []);
    assert.deepEqual(await names(other, "/servers?name=ecs-server-1"), []);
    assert.deepEqual(await names(other, "/servers"), []);
    for (const [method, path, body] of [
      ["POST", `/servers/${id}/action`, { "os-stop": null }],
      ["GET", `/servers/${id}/metadata`, undefined],
      ["GET", `/servers/${id}/os-volume_attachments`, undefined],
      ["DELETE", `/servers/${id}`, undefined],
    ] as const) {
      assert.equal((await other.compute(method, path, body)).status, 404, `${method} ${path}`);
    }
    assert.equal(str((await os.compute("GET", `/servers/${id}`)).body, "server", "status"), "ACTIVE");
    assert.deepEqual(await names(os, "/servers/detail"), ["ecs-server-1"]);
  });

  it("servers created with the ecs-other token belong to ecs-other and are invisible to ecs", async () => {
    const mine = await bootServer(os, s, "ecs-server-1");
    const theirs = await bootServer(other, await seeded(other), "intruder");
    const srv = at((await other.compute("GET", `/servers/${theirs}`)).body, "server");
    assert.equal(at(srv, "tenant_id"), other.projectId);
    assert.equal(at(srv, "status"), "ACTIVE");
    assert.deepEqual(await names(other, "/servers/detail"), ["intruder"]);
    assert.deepEqual(await names(os, "/servers/detail"), ["ecs-server-1"]);
    assert.equal((await os.compute("GET", `/servers/${theirs}`)).status, 404);
    assert.equal(
      at((await os.compute("GET", `/servers/${mine}`)).body, "server", "tenant_id"),
      sim.snapshot().project.id,
    );
  });

  it("volumes are per project: another project's volume is 404, and so is its Cinder URL", async () => {
    const vol = await createVolume(os, "ecs-server-1-data");
    assert.equal((await other.volume("GET", `/volumes/${vol}`)).status, 404);
    assert.deepEqual(arr((await other.volume("GET", "/volumes/detail")).body, "volumes"), []);
    const ecsUrl = `${sim.url}/volume/v3/${sim.snapshot().project.id}/volumes/${vol}`;
    assert.equal((await other.raw("GET", ecsUrl)).status, 404, "the URL's project must be the token's");
    const theirs = await bootServer(other, await seeded(other), "intruder");
    const attach = await other.compute("POST", `/servers/${theirs}/os-volume_attachments`, {
      volumeAttachment: { volumeId: vol },
    });
    assert.equal(attach.status, 404, "cannot attach another project's volume");
    const own = await createVolume(other, "their-data");
    assert.equal(
      at((await other.volume("GET", `/volumes/${own}`)).body, "volume", "os-vol-tenant-attr:tenant_id"),
      other.projectId,
    );
    assert.equal((await os.volume("GET", `/volumes/${own}`)).status, 404);
  });
});
