import * as assert from "assert";
import { CmClient } from "../../components/cloudera/client";
import { waitForCommand } from "../../components/cloudera/commands";
import { isCmApiError, isCmCommandError } from "../../components/cloudera/errors";
import { CmSimulator } from "../../lab/cm/index";
import { connectClient, MemoryLogger, PASSWORD, startSim, stopAndCheckContract } from "./sim-fixture";

describe("CM client against the simulator", () => {
  let sim: CmSimulator | undefined;
  afterEach(async () => {
    await stopAndCheckContract(sim);
    sim = undefined;
  });

  const countRequests = (s: CmSimulator, path: string) =>
    s.exchanges.filter((e) => e.path.endsWith(path)).length;

  it("discovers the API version and uses it in every path", async () => {
    sim = await startSim({ apiVersion: 51 });
    const client = await connectClient(sim);
    assert.strictEqual(client.apiVersion, 51);
    await client.listHosts();
    assert.ok(sim.exchanges.some((e) => e.path === "/api/v51/hosts"));
  });

  it("refuses a CM older than v45 with a clear message", async () => {
    sim = await startSim({ apiVersion: 44 });
    await assert.rejects(connectClient(sim), /v45 or newer/);
  });

  it("retries a 503 burst with backoff and succeeds, logging each retry", async () => {
    sim = await startSim();
    const logger = new MemoryLogger();
    const client = await connectClient(sim, logger);
    sim.faults.serverErrors = { count: 2, status: 503, pathContains: "/hosts" };
    const hosts = await client.listHosts();
    assert.strictEqual(hosts.items?.length, 6);
    assert.strictEqual(countRequests(sim, "/hosts"), 3);
    assert.strictEqual(logger.lines.filter((l) => l.includes("HTTP 503")).length, 2);
  });

  it("retries 429 and dropped connections", async () => {
    sim = await startSim();
    const client = await connectClient(sim);
    sim.faults.rateLimit = { count: 1, retryAfterSeconds: 0 };
    sim.faults.dropConnections = { count: 1 };
    assert.strictEqual((await client.listHosts()).items?.length, 6);
    assert.strictEqual(countRequests(sim, "/hosts"), 3);
  });

  it("gives up after maxAttempts with CM's message, the request and a hint", async () => {
    sim = await startSim();
    const client = await connectClient(sim);
    sim.faults.serverErrors = { count: 10, status: 500 };
    const err = await client.listHosts().catch((e: unknown) => e);
    assert.ok(isCmApiError(err));
    assert.strictEqual(err.attempts, 4);
    assert.match(
      err.message,
      /GET \/api\/v45\/hosts failed with HTTP 500: Internal server error \[after 4 attempts\]\. CM is failing/,
    );
  });

  it("never retries a 404 and carries CM's message", async () => {
    sim = await startSim();
    const client = await connectClient(sim);
    const err = await client.readHost("no-such-host").catch((e: unknown) => e);
    assert.ok(isCmApiError(err));
    assert.strictEqual(err.status, 404);
    assert.strictEqual(err.cmMessage, "Host 'no-such-host' not found.");
    assert.strictEqual(countRequests(sim, "/hosts/no-such-host"), 1);
  });

  it("does not resend a role create after its connection dropped (not idempotent)", async () => {
    sim = await startSim();
    const client = await connectClient(sim);
    const host = await client.findHostByName("ds04.ecs.openstack.com");
    sim.faults.dropConnections = { count: 1 };
    await assert.rejects(
      client.createRoles("ecs-cluster", "ecs", [{ type: "ECS_AGENT", hostRef: { hostId: host?.hostId } }]),
      (e: unknown) => isCmApiError(e),
    );
    assert.strictEqual(sim.exchanges.filter((e) => e.method === "POST").length, 1);
  });

  it("rejects a wrong password without retrying and without echoing it", async () => {
    sim = await startSim();
    const err = await CmClient.connect({
      baseUrl: sim.url,
      username: "admin",
      password: "wrong-pw-123",
    }).catch((e: unknown) => e);
    assert.ok(isCmApiError(err));
    assert.strictEqual(err.status, 401);
    assert.ok(!err.message.includes("wrong-pw-123") && !JSON.stringify(err).includes("wrong-pw-123"));
    assert.match(err.message, /cmPassword/);
  });

  it("times out a slow CM and reports the request", async () => {
    sim = await startSim({ faults: { latencyMs: 400 } });
    const err = await CmClient.connect({
      baseUrl: sim.url,
      username: "admin",
      password: PASSWORD,
      timeoutMs: 100,
      retry: { maxAttempts: 2, baseDelayMs: 1 },
    }).catch((e: unknown) => e);
    assert.ok(isCmApiError(err));
    assert.match(err.message, /GET \/api\/version failed: ETIMEDOUT/);
    assert.strictEqual(err.attempts, 2);
  });

  it("surfaces a failed command's CM message and its failing children", async () => {
    sim = await startSim({
      faults: {
        failCommands: [
          {
            name: "Refresh",
            hostname: "ds03.ecs.openstack.com",
            message: "Failed to refresh ECS server: rke2 not responding",
          },
        ],
      },
    });
    const client = await connectClient(sim);
    const started = await client.refreshCluster("ecs-cluster");
    const err = await waitForCommand(client, started, { pollMs: 20, timeoutMs: 2000 }).catch(
      (e: unknown) => e,
    );
    assert.ok(isCmCommandError(err));
    assert.match(err.message, /command 'Refresh' \(id \d+\) failed: Failed to refresh 1 role\(s\)/);
    assert.match(
      err.message,
      /failed steps: Refresh on ecs-ECS_SERVER-\w+: Failed to refresh ECS server: rke2 not responding/,
    );
  });

  describe("HTTPS", () => {
    it("verifies CM's certificate against the given CA bundle", async () => {
      sim = await startSim({ tls: true });
      assert.ok(sim.url.startsWith("https://"));
      const client = await connectClient(sim);
      assert.strictEqual((await client.listHosts()).items?.length, 6);
    });

    it("rejects an untrusted certificate by default, with advice, without retrying", async () => {
      sim = await startSim({ tls: true });
      const err = await CmClient.connect({ baseUrl: sim.url, username: "admin", password: PASSWORD }).catch(
        (e: unknown) => e,
      );
      assert.ok(isCmApiError(err));
      assert.match(err.message, /certificate|CA bundle/);
      assert.strictEqual(err.attempts, 1);
      assert.strictEqual(sim.exchanges.length, 0, "no request reached CM");
    });
  });
});
