import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OpenStackSimulator } from "../../lab/openstack/server";
import { arr, at, OsClient, PASSWORD, RFC3339_Z, startSim, str } from "./client";

describe("openstack simulator: keystone", () => {
  let sim: OpenStackSimulator;
  let os: OsClient;
  const stateFile = join(mkdtempSync(join(tmpdir(), "ossim-ks-")), "state.json");

  before(async () => ({ sim, os } = await startSim({ stateFile })));
  after(() => sim.stop());

  it("issues a token in X-Subject-Token with 201 and a catalog of the four services", async () => {
    const r = await os.authenticate();
    assert.equal(r.status, 201);
    assert.match(os.token, /^gAAAAA/);
    assert.match(str(r.body, "token", "expires_at"), RFC3339_Z);
    const catalog = arr(r.body, "token", "catalog") as Record<string, unknown>[];
    const url = (type: string): string =>
      str(
        catalog.find((c) => c.type === type),
        "endpoints",
        0,
        "url",
      );
    assert.equal(url("compute"), `${sim.url}/compute/v2.1`);
    assert.equal(url("network"), `${sim.url}/network`, "versionless: gophercloud appends v2.0/");
    assert.equal(url("image"), `${sim.url}/image`, "versionless: gophercloud appends v2/");
    assert.equal(url("volumev3"), `${sim.url}/volume/v3/${sim.snapshot().project.id}`);
    const ep = at(
      catalog.find((c) => c.type === "compute"),
      "endpoints",
      0,
    ) as Record<string, string>;
    assert.equal(ep.interface, "public");
    assert.equal(ep.region_id, "RegionOne");
  });

  it("accepts the default-domain-by-id form the provider builds from default_domain", async () => {
    const r = await os.raw("POST", `${sim.authUrl}/auth/tokens`, {
      auth: {
        identity: {
          methods: ["password"],
          password: { user: { name: "ecs-admin", domain: { id: "default" }, password: PASSWORD } },
        },
        scope: { project: { name: "ecs", domain: { id: "default" } } },
      },
    });
    assert.equal(r.status, 201);
  });

  it("rejects a wrong password with 401 and never echoes or stores the password", async () => {
    const wrong = new OsClient(sim);
    const r = await wrong.authenticate("not-the-password");
    assert.equal(r.status, 401);
    assert.equal(wrong.token, "");
    assert.ok(!r.text.includes("not-the-password"));
    const state = readFileSync(stateFile, "utf8");
    assert.ok(!state.includes(PASSWORD), "password must not reach the state file");
    assert.ok(!state.includes(os.token), "tokens are stored hashed only");
  });

  it("answers service calls without a valid token with 401, and after revocation too", async () => {
    const anon = new OsClient(sim);
    assert.equal((await anon.compute("GET", "/flavors/detail")).status, 401);
    assert.equal((await os.compute("GET", "/flavors/detail")).status, 200);
    sim.faults.revokeTokens();
    assert.equal((await os.compute("GET", "/flavors/detail")).status, 401);
    await os.authenticate();
    assert.equal((await os.compute("GET", "/flavors/detail")).status, 200, "re-authentication works");
  });

  it("serves the identity version document gophercloud uses for discovery", async () => {
    const r = await os.raw("GET", `${sim.url}/identity`);
    assert.equal(r.status, 300);
    assert.equal(str(r.body, "versions", "values", 0, "links", 0, "href"), `${sim.url}/identity/v3/`);
  });
});
