import * as assert from "assert";
import { CmSimulator } from "../../lab/cm/index";
import { PASSWORD, sleep, startSim, stopAndCheckContract } from "./sim-fixture";

/** Raw HTTP against the simulator (no client), to pin its own behaviour. */
async function call(sim: CmSimulator, method: string, path: string, body?: unknown, password = PASSWORD) {
  const res = await fetch(sim.url + path, {
    method,
    headers: {
      authorization: "Basic " + Buffer.from(`admin:${password}`).toString("base64"),
      "content-type": "application/json",
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text.startsWith("{") ? JSON.parse(text) : text };
}

describe("CM simulator", () => {
  let sim: CmSimulator | undefined;
  afterEach(async () => {
    await stopAndCheckContract(sim);
    sim = undefined;
  });

  it("requires Basic auth and answers 401 with CM's realm and error body", async () => {
    sim = await startSim();
    const res = await call(sim, "GET", "/api/v45/hosts", undefined, "wrong");
    assert.strictEqual(res.status, 401);
    assert.strictEqual(res.headers.get("www-authenticate"), 'Basic realm="Cloudera Manager"');
    assert.strictEqual(typeof res.body.message, "string");
  });

  it("serves the seed: 6 hosts in the ECS experience cluster, ECS and DOCKER services", async () => {
    sim = await startSim();
    assert.strictEqual((await call(sim, "GET", "/api/version")).body, "v45");
    const hosts = (await call(sim, "GET", "/api/v45/clusters/ecs-cluster/hosts?view=FULL")).body.items;
    assert.deepStrictEqual(
      hosts.map((h: { ipAddress: string }) => h.ipAddress),
      ["141", "142", "143", "144", "145", "146"].map((n) => `127.0.8.${n}`),
    );
    const servers = await call(
      sim,
      "GET",
      "/api/v45/clusters/ecs-cluster/services/ecs/roles?filter=type==ECS_SERVER",
    );
    assert.strictEqual(servers.body.items.length, 3);
    // The default clusterType is "base": the experience cluster only shows for ANY/EXPERIENCE.
    assert.strictEqual((await call(sim, "GET", "/api/v45/clusters")).body.items.length, 0);
    assert.strictEqual(
      (await call(sim, "GET", "/api/v45/clusters?clusterType=EXPERIENCE")).body.items[0].clusterType,
      "EXPERIENCE_CLUSTER",
    );
    assert.deepStrictEqual((await call(sim, "GET", "/api/v45/clusters/nope")).body, {
      message: "Cluster 'nope' not found.",
    });
  });

  it("refuses deleting a running role; stop runs as a command over time; delete leaves ECS stale until a refresh", async () => {
    sim = await startSim();
    const role = (
      await call(
        sim,
        "GET",
        "/api/v45/clusters/ecs-cluster/services/ecs/roles?filter=hostname==ds02.ecs.openstack.com;type==ECS_SERVER",
      )
    ).body.items[0];
    const events: string[] = [];
    sim.hooks.onRoleState((e) => events.push(`${e.hostname} ${e.state}`));
    const running = await call(
      sim,
      "DELETE",
      `/api/v45/clusters/ecs-cluster/services/ecs/roles/${role.name}`,
    );
    assert.strictEqual(running.status, 400, "a running role is not deleted");
    const bulk = (
      await call(sim, "POST", "/api/v45/clusters/ecs-cluster/services/ecs/roleCommands/stop", {
        items: [role.name, "nope"],
      })
    ).body;
    assert.deepStrictEqual(bulk.errors, ["Role 'nope' not found."]);
    assert.strictEqual(bulk.items[0].active, true);
    assert.strictEqual(
      (await call(sim, "GET", `/api/v45/clusters/ecs-cluster/services/ecs/roles/${role.name}`)).body
        .roleState,
      "STOPPING",
    );
    await sleep(150);
    const done = (await call(sim, "GET", `/api/v45/commands/${bulk.items[0].id}`)).body;
    assert.deepStrictEqual(
      [done.active, done.success, done.resultMessage],
      [false, true, "Successfully stopped process."],
    );
    assert.deepStrictEqual(events, ["ds02.ecs.openstack.com STOPPED"]);
    assert.strictEqual(
      (await call(sim, "DELETE", `/api/v45/clusters/ecs-cluster/services/ecs/roles/${role.name}`)).status,
      200,
    );
    const stale = (await call(sim, "GET", "/api/v45/clusters/ecs-cluster/services/ecs")).body;
    assert.strictEqual(stale.configStalenessStatus, "STALE_REFRESHABLE");
    const refresh = (await call(sim, "POST", "/api/v45/clusters/ecs-cluster/commands/refresh")).body;
    await sleep(150);
    assert.strictEqual((await call(sim, "GET", `/api/v45/commands/${refresh.id}`)).body.success, true);
    assert.strictEqual(
      (await call(sim, "GET", "/api/v45/clusters/ecs-cluster/services/ecs")).body.configStalenessStatus,
      "FRESH",
    );
  });

  it("derives health from heartbeats: a silent agent turns its host and roles BAD", async () => {
    sim = await startSim();
    sim.hooks.setAgentHeartbeat("ds05.ecs.openstack.com", false);
    const host = () =>
      call(sim!, "GET", "/api/v45/hosts?view=FULL").then((r) =>
        r.body.items.find((h: { hostname: string }) => h.hostname === "ds05.ecs.openstack.com"),
      );
    assert.strictEqual((await host()).healthSummary, "GOOD", "within the grace period");
    await sleep(400);
    assert.strictEqual((await host()).healthSummary, "BAD");
    assert.strictEqual((await host()).roleRefs[0].healthSummary, "BAD");
    assert.strictEqual(
      (await call(sim, "GET", "/api/v45/clusters/ecs-cluster/services/ecs")).body.healthSummary,
      "CONCERNING",
    );
    sim.hooks.setAgentHeartbeat("ds05.ecs.openstack.com", true);
    assert.strictEqual((await host()).healthSummary, "GOOD");
  });

  it("registers a new agent under a new hostId; a silent-agent fault keeps it away", async () => {
    sim = await startSim({ faults: { silentAgents: ["ds09.ecs.openstack.com"] } });
    sim.hooks.setAgentHeartbeat("ds07.ecs.openstack.com", true, "127.0.8.147");
    sim.hooks.setAgentHeartbeat("ds09.ecs.openstack.com", true, "127.0.8.149");
    const names = (await call(sim, "GET", "/api/v45/hosts")).body.items.map(
      (h: { hostname: string }) => h.hostname,
    );
    assert.ok(names.includes("ds07.ecs.openstack.com"));
    assert.ok(!names.includes("ds09.ecs.openstack.com"));
  });

  it("injects 5xx bursts, 429, dropped connections and latency", async () => {
    sim = await startSim({
      faults: { serverErrors: { count: 2, status: 503 }, rateLimit: { count: 0 }, latencyMs: 0 },
    });
    assert.strictEqual((await call(sim, "GET", "/api/v45/hosts")).status, 503);
    assert.strictEqual((await call(sim, "GET", "/api/v45/hosts")).status, 503);
    assert.strictEqual((await call(sim, "GET", "/api/v45/hosts")).status, 200);
    sim.faults.rateLimit = { count: 1, retryAfterSeconds: 1 };
    const limited = await call(sim, "GET", "/api/v45/hosts");
    assert.deepStrictEqual([limited.status, limited.headers.get("retry-after")], [429, "1"]);
    sim.faults.dropConnections = { count: 1 };
    await assert.rejects(call(sim, "GET", "/api/v45/hosts"));
    sim.faults.latencyMs = 120;
    const t = Date.now();
    await call(sim, "GET", "/api/v45/hosts");
    assert.ok(Date.now() - t >= 110);
  });
});
