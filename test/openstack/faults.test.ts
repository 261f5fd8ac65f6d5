import { strict as assert } from "node:assert";
import type { ServerEvent } from "../../lab/openstack/hooks";
import type { OpenStackSimulator } from "../../lab/openstack/server";
import { at, OsClient, startSim, str } from "./client";
import { bootServer, createPort, seeded, type Seeded } from "./fixtures";

describe("openstack simulator: realism knobs and fault injection", () => {
  let sim: OpenStackSimulator;
  let os: OsClient;
  let s: Seeded;

  beforeEach(async () => {
    ({ sim, os } = await startSim());
    s = await seeded(os);
  });
  afterEach(() => sim.stop());

  it("injects a 503 for the next matching request only", async () => {
    sim.faults.injectHttpError({ method: "GET", path: "/compute/v2.1/flavors", status: 503, times: 1 });
    const first = await os.compute("GET", "/flavors/detail");
    assert.equal(first.status, 503);
    assert.ok(at(first.body, "serviceUnavailable"), "Nova-style error body");
    assert.equal((await os.compute("GET", "/flavors/detail")).status, 200);
  });

  it("injects a 409 on a regex path, counted down per request", async () => {
    sim.faults.injectHttpError({ method: "POST", path: "/\\/ports$/", status: 409, times: 2 });
    const body = { port: { network_id: s.network } };
    assert.equal((await os.network("POST", "/ports", body)).status, 409);
    assert.equal((await os.network("POST", "/ports", body)).status, 409);
    assert.equal((await os.network("POST", "/ports", body)).status, 201);
  });

  it("timing options left undefined keep their defaults (as the CLI passes them)", async () => {
    const other = await startSim({ bootDelayMs: undefined, tokenTtlSeconds: undefined });
    try {
      assert.equal(other.sim.faults.timing.tokenTtlSeconds, 3600);
      assert.equal(other.os.token.length > 0, true, "token issue works");
    } finally {
      await other.sim.stop();
    }
  });

  it("adds API latency to every service call", async () => {
    sim.faults.setTiming({ apiLatencyMs: 150 });
    const t0 = Date.now();
    await os.compute("GET", "/flavors/detail");
    assert.ok(Date.now() - t0 >= 140, `took ${Date.now() - t0} ms`);
  });

  it("a boot fault puts the matching server in ERROR with the fault message and fires an error hook", async () => {
    const errors: ServerEvent[] = [];
    sim.hooks.on("server.error", (e: ServerEvent) => errors.push(e));
    sim.faults.failNextBoot({ nameMatches: "agent-2", message: "Build of instance aborted: disk full" });
    const ok = await bootServer(os, s, "ecs-agent-1");
    const bad = await bootServer(os, s, "ecs-agent-2");
    assert.equal(str((await os.compute("GET", `/servers/${ok}`)).body, "server", "status"), "ACTIVE");
    const srv = at((await os.compute("GET", `/servers/${bad}`)).body, "server");
    assert.equal(at(srv, "status"), "ERROR");
    assert.equal(at(srv, "fault", "message"), "Build of instance aborted: disk full");
    assert.deepEqual(
      errors.map((e) => e.name),
      ["ecs-agent-2"],
    );
    assert.equal((await os.compute("DELETE", `/servers/${bad}`)).status, 204, "ERROR servers can be deleted");
  });

  it("crashServer powers a running server off without an API call and emits `crash`", async () => {
    const port = await createPort(os, s, "n4", "127.0.8.144");
    const id = await bootServer(os, s, "ecs-agent-1", { port });
    const crashed = sim.hooks.waitFor((e) => e.type === "crash");
    sim.faults.crashServer(id);
    const e = await crashed;
    assert.deepEqual(e.fixedIps, ["127.0.8.144"]);
    assert.equal(str((await os.compute("GET", `/servers/${id}`)).body, "server", "status"), "SHUTOFF");
    assert.equal(str((await os.network("GET", `/ports/${port}`)).body, "port", "status"), "DOWN");
    assert.equal((await os.compute("POST", `/servers/${id}/action`, { "os-start": null })).status, 202);
  });

  it("the /_sim control API injects faults for a lab in another process", async () => {
    const r = await os.raw("POST", `${sim.url}/_sim/faults/http`, { path: "/image/v2/images", status: 500 });
    assert.equal(r.status, 201);
    assert.equal((await os.image("GET", "/images")).status, 500);
    assert.equal((await os.image("GET", "/images")).status, 200);
    const summary = await os.raw("GET", `${sim.url}/_sim/summary`);
    assert.equal(at(summary.body, "empty"), true);
  });
});
