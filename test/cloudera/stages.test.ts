import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as runtime from "@pulumi/pulumi/runtime";
import {
  clusterHostProvider,
  ClusterHostInputs,
  ClusterHostOutputs,
} from "../../components/cloudera/stages/cluster-host";
import { refreshProvider } from "../../components/cloudera/stages/refresh";
import { cmStageProvider } from "../../components/cloudera/stages/resources";
import { roleProvider, RoleInputs, RoleOutputs } from "../../components/cloudera/stages/role";
import { CmSimulator } from "../../lab/cm/index";
import { PASSWORD, startSim, stopAndCheckContract } from "./sim-fixture";

const DS02 = "ds02.ecs.openstack.com";

function connection(sim: CmSimulator) {
  return {
    cmUrl: sim.url,
    cmUsername: "admin",
    cmPassword: PASSWORD,
    cmCaBundle: sim.caPem,
    cluster: "ecs-cluster",
    timeoutSeconds: 3,
    pollIntervalMs: 20,
  };
}

/** Name of the role of `type` the simulator's seed put on the host. */
function seededRole(sim: CmSimulator, hostId: string, type: string): string {
  return sim.state.rolesOnHost(hostId).find((r) => r.type === type)!.name;
}

/** The stage providers called directly, as the dynamic provider host would call them. */
describe("CM stage providers against the simulator", () => {
  let sim: CmSimulator | undefined;
  afterEach(async () => {
    await stopAndCheckContract(sim);
    sim = undefined;
  });

  const rolesOn = (s: CmSimulator, hostname: string) => {
    const host = s.state.hostByName(hostname);
    return host
      ? s.state
          .rolesOnHost(host.hostId)
          .map((r) => `${r.type}:${r.state}`)
          .sort()
      : undefined;
  };

  it("replaces an ECS server node: role delete, host delete, new agent, host create, role create, refresh", async () => {
    sim = await startSim({ tls: true });
    const events: string[] = [];
    sim.hooks.onRoleState((e) => events.push(`${e.type} ${e.state}`));
    const oldHostId = sim.state.hostByName(DS02)!.hostId;
    const oldHost: ClusterHostOutputs = {
      ...connection(sim),
      hostname: DS02,
      instanceId: "vm-1",
      hostId: oldHostId,
      stage: "cm-host",
    };
    const oldRoleName = sim.state.rolesOnHost(oldHostId).find((r) => r.type === "ECS_SERVER")!.name;
    const oldRole: RoleOutputs = {
      ...connection(sim),
      hostname: DS02,
      hostId: oldHostId,
      roleType: "ECS_SERVER",
      roleName: oldRoleName,
      dockerRoleName: seededRole(sim, oldHostId, "DOCKER_SERVER"),
      stage: "cm-role",
    };

    // Backward halves, in the order the engine's delete-before-replace cascade runs them.
    await roleProvider.delete!(oldRoleName, oldRole);
    assert.deepStrictEqual(rolesOn(sim, DS02), []);
    assert.deepStrictEqual(events, ["ECS_SERVER STOPPED", "DOCKER_SERVER STOPPED"]);
    assert.strictEqual(sim.state.services.get("ecs")!.staleness, "FRESH", "refreshed after the delete");
    await clusterHostProvider.delete!(oldHostId, oldHost);
    assert.strictEqual(sim.state.hostByName(DS02), undefined);

    // The rebuilt VM's agent registers with a new hostId; forward halves.
    sim.hooks.setAgentHeartbeat(DS02, true, "127.0.8.142");
    const hostInputs: ClusterHostInputs = { ...connection(sim), hostname: DS02, instanceId: "vm-2" };
    const host = await clusterHostProvider.create(hostInputs);
    assert.notStrictEqual(host.id, oldHostId);
    assert.strictEqual(host.outs?.stage, "cm-host");
    const roleInputs: RoleInputs = {
      ...connection(sim),
      hostname: DS02,
      hostId: host.id,
      roleType: "ECS_SERVER",
    };
    const role = await roleProvider.create(roleInputs);
    assert.deepStrictEqual(rolesOn(sim, DS02), ["DOCKER_SERVER:STARTED", "ECS_SERVER:STARTED"]);
    assert.match(role.id, /^ecs-ECS_SERVER-[0-9a-f]{32}$/);
    assert.strictEqual(sim.state.services.get("ecs")!.staleness, "STALE_REFRESHABLE");
    await refreshProvider.create({ ...connection(sim), triggers: [role.id] });
    assert.strictEqual(sim.state.services.get("ecs")!.staleness, "FRESH");
    assert.deepStrictEqual(events.slice(2), ["DOCKER_SERVER STARTED", "ECS_SERVER STARTED"]);
  });

  it("creates and deletes idempotently (a re-run after a partial failure continues)", async () => {
    sim = await startSim();
    const hostId = sim.state.hostByName(DS02)!.hostId;
    const inputs: RoleInputs = { ...connection(sim), hostname: DS02, hostId, roleType: "ECS_SERVER" };
    const first = await roleProvider.create(inputs);
    const again = await roleProvider.create(inputs);
    assert.strictEqual(first.id, again.id, "the existing STARTED role is adopted");
    const stored = { ...inputs, ...first.outs, roleName: first.id, stage: "cm-role" as const };
    await roleProvider.delete!(first.id, stored);
    await roleProvider.delete!(first.id, stored);
    await clusterHostProvider.delete!(hostId, {
      ...connection(sim),
      hostname: DS02,
      instanceId: "vm",
      hostId,
      stage: "cm-host",
    });
    await clusterHostProvider.delete!(hostId, {
      ...connection(sim),
      hostname: DS02,
      instanceId: "vm",
      hostId,
      stage: "cm-host",
    });
    assert.strictEqual(sim.state.hostByName(DS02), undefined);
  });

  it("fails a role start with CM's message when the start command fails", async () => {
    sim = await startSim({
      faults: {
        failCommands: [
          { name: "Start", hostname: DS02, message: "Failed to start ECS server: port 9345 in use" },
        ],
      },
    });
    const hostId = sim.state.hostByName(DS02)!.hostId;
    const seeded = seededRole(sim, hostId, "ECS_SERVER");
    await roleProvider.delete!(seeded, {
      ...connection(sim),
      hostname: DS02,
      hostId,
      roleType: "ECS_SERVER",
      roleName: seeded,
      stage: "cm-role",
      withDockerRole: false,
    });
    const inputs: RoleInputs = {
      ...connection(sim),
      hostname: DS02,
      hostId,
      roleType: "ECS_SERVER",
      withDockerRole: false,
    };
    await assert.rejects(roleProvider.create(inputs), /Failed to start ECS server: port 9345 in use/);
    const retried = await roleProvider.create(inputs);
    assert.deepStrictEqual(
      rolesOn(sim, DS02),
      ["DOCKER_SERVER:STARTED", "ECS_SERVER:STARTED"],
      `${retried.id} started on re-run`,
    );
  });

  it("times out the host stage with advice when the agent never heartbeats", async () => {
    sim = await startSim({ faults: { silentAgents: ["ds07.ecs.openstack.com"] } });
    sim.hooks.setAgentHeartbeat("ds07.ecs.openstack.com", true);
    const inputs = {
      ...connection(sim),
      hostname: "ds07.ecs.openstack.com",
      instanceId: "vm-7",
      timeoutSeconds: 0.3,
    };
    await assert.rejects(
      clusterHostProvider.create(inputs),
      /Timed out .* CM agent on ds07\.ecs\.openstack\.com to heartbeat.*cloudera-scm-agent/,
    );
  });

  it("survives a 503 burst in the middle of a stage", async () => {
    sim = await startSim();
    sim.faults.serverErrors = { count: 2, status: 503, pathContains: "/roleCommands/" };
    const hostId = sim.state.hostByName(DS02)!.hostId;
    const roleName = sim.state.rolesOnHost(hostId).find((r) => r.type === "ECS_SERVER")!.name;
    await roleProvider.delete!(roleName, {
      ...connection(sim),
      hostname: DS02,
      hostId,
      roleType: "ECS_SERVER",
      roleName,
      dockerRoleName: seededRole(sim, hostId, "DOCKER_SERVER"),
      stage: "cm-role",
    });
    assert.deepStrictEqual(rolesOn(sim, DS02), []);
  });

  describe("diff (joins the delete-before-replace cascade)", () => {
    const base = { cmUrl: "https://cm:7183", cmUsername: "admin", cmPassword: "p", cluster: "ecs-cluster" };
    const host: ClusterHostOutputs = {
      ...base,
      hostname: DS02,
      instanceId: "vm-1",
      hostId: "h1",
      stage: "cm-host",
    };
    const role: RoleOutputs = {
      ...base,
      hostname: DS02,
      hostId: "h1",
      roleType: "ECS_SERVER",
      roleName: "r",
      stage: "cm-role",
    };

    it("replaces the host stage when the VM changes, even to an unknown value", async () => {
      const d = await clusterHostProvider.diff!("h1", host, {
        ...base,
        hostname: DS02,
        instanceId: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
      });
      assert.deepStrictEqual([d.changes, d.replaces, d.deleteBeforeReplace], [true, ["instanceId"], true]);
    });

    it("replaces the role stage when the CM host changes", async () => {
      const d = await roleProvider.diff!("r", role, {
        ...base,
        hostname: DS02,
        hostId: "h2",
        roleType: "ECS_SERVER",
      });
      assert.deepStrictEqual(d.replaces, ["hostId"]);
    });

    it("updates in place (no replace) on a password rotation, and reports no change otherwise", async () => {
      const rotated = await roleProvider.diff!("r", role, {
        ...base,
        cmPassword: "q",
        hostname: DS02,
        hostId: "h1",
        roleType: "ECS_SERVER",
      });
      assert.deepStrictEqual([rotated.changes, rotated.replaces], [true, []]);
      const same = await clusterHostProvider.diff!("h1", host, {
        ...base,
        hostname: DS02,
        instanceId: "vm-1",
      });
      assert.deepStrictEqual([same.changes, same.replaces], [false, []]);
    });

    it("check names the missing or invalid inputs", async () => {
      const r = await roleProvider.check!({} as RoleInputs, {
        ...base,
        cmUrl: "https://cm:7183/api/v45",
        hostname: DS02,
        hostId: "",
        roleType: "ECS_MASTER" as "ECS_SERVER",
      });
      assert.deepStrictEqual(r.failures?.map((f) => f.property).sort(), ["cmUrl", "hostId", "roleType"]);
    });
  });

  it("providers survive Pulumi closure serialization without capturing the password", async function () {
    this.timeout(60_000);
    for (const provider of [clusterHostProvider, roleProvider, refreshProvider]) {
      const serialized = await runtime.serializeFunction(() => provider);
      assert.ok(serialized.text.includes("ensureHostRemoved") || serialized.text.includes("refresh"));
      assert.ok(!serialized.text.includes(PASSWORD));
      assert.ok(!serialized.containsSecrets);
    }
  });

  it("the shared provider appends each stage half to the run record, failures with CM's message", async () => {
    sim = await startSim({ tls: true });
    const runRecordDir = fs.mkdtempSync(path.join(os.tmpdir(), "ecs-cm-record-"));
    const hostId = sim.state.hostByName(DS02)!.hostId;
    const roleName = sim.state.rolesOnHost(hostId).find((r) => r.type === "ECS_SERVER")!.name;
    const role = {
      ...connection(sim),
      runRecordDir,
      hostname: DS02,
      hostId,
      roleType: "ECS_SERVER" as const,
    };
    const dockerRoleName = seededRole(sim, hostId, "DOCKER_SERVER");
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    await cmStageProvider.delete!(roleName, { ...role, roleName, dockerRoleName, stage: "cm-role" } as any);
    await assert.rejects(
      cmStageProvider.create({
        ...connection(sim),
        runRecordDir,
        hostname: "nobody.ecs.openstack.com",
        instanceId: "vm-9",
      }),
    );
    const lines = fs
      .readFileSync(path.join(runRecordDir, "records.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.deepStrictEqual(
      lines.map((l) => [l.node, l.stage, l.outcome]),
      [
        [DS02, "cm-role-delete", "succeeded"],
        ["nobody.ecs.openstack.com", "cm-host-create", "failed"],
      ],
    );
    assert.strictEqual(lines[0].evidence.id, roleName);
    assert.match(lines[1].error, /nobody\.ecs\.openstack\.com/);
    fs.rmSync(runRecordDir, { recursive: true, force: true });
  });

  it("deletes roles by their stored names only after checking them: another type, host or an unrecorded role is refused", async () => {
    sim = await startSim();
    const ds02 = sim.state.hostByName(DS02)!;
    const ecs = seededRole(sim, ds02.hostId, "ECS_SERVER");
    const docker = seededRole(sim, ds02.hostId, "DOCKER_SERVER");
    const stored = {
      ...connection(sim),
      hostname: DS02,
      hostId: ds02.hostId,
      roleType: "ECS_SERVER" as const,
      roleName: ecs,
      dockerRoleName: docker,
      stage: "cm-role" as const,
    };
    // Stored names that do not fit what CM has: another type, another host, a name CM does not
    // know while the host still has a role of that type.
    await assert.rejects(
      roleProvider.delete!(ecs, { ...stored, roleType: "ECS_AGENT" }),
      /refusing to delete role ecs-.*: it is a ECS_SERVER role, not ECS_AGENT/,
    );
    await assert.rejects(
      roleProvider.delete!(ecs, { ...stored, hostId: "another-host" }),
      /refusing to delete role ecs-.*: it is on host .*, not another-host/,
    );
    await assert.rejects(
      roleProvider.delete!(docker, { ...stored, roleName: docker }),
      /the stage's ECS_SERVER role docker-.* is not in service ecs, but host ds02.* has ECS_SERVER role ecs-/,
    );
    assert.deepStrictEqual(
      rolesOn(sim, DS02),
      ["DOCKER_SERVER:STARTED", "ECS_SERVER:STARTED"],
      "nothing deleted",
    );
    await roleProvider.delete!(ecs, stored);
    assert.deepStrictEqual(rolesOn(sim, DS02), [], "the stored roles, checked, are deleted");
    await roleProvider.delete!(ecs, stored); // a re-run finds them gone: done
  });

  it("finds the ECS and Docker services by their configured names, checked by type", async () => {
    sim = await startSim();
    const hostId = sim.state.hostByName(DS02)!.hostId;
    const inputs: RoleInputs = {
      ...connection(sim),
      hostname: DS02,
      hostId,
      roleType: "ECS_SERVER",
      ecsService: "ecs",
      dockerService: "docker",
    };
    const role = await roleProvider.create(inputs);
    assert.strictEqual(
      role.id,
      seededRole(sim, hostId, "ECS_SERVER"),
      "the existing role, found in the named service",
    );
    await assert.rejects(
      roleProvider.create({ ...inputs, ecsService: "docker" }),
      /service docker is of type DOCKER, not ECS\. Fix ecs:cloudera\.ecsService/,
    );
    await assert.rejects(
      roleProvider.create({ ...inputs, ecsService: "ECS" }),
      /no service named ECS in cluster 'ecs-cluster' \(services: .*ecs \(ECS\)/,
    );
  });

  it("accepts a new host only at the node's IP", async () => {
    sim = await startSim();
    sim.hooks.setAgentHeartbeat("ds07.ecs.openstack.com", true, "127.0.8.99");
    await assert.rejects(
      clusterHostProvider.create({
        ...connection(sim),
        hostname: "ds07.ecs.openstack.com",
        instanceId: "vm-7",
        ipAddress: "127.0.8.147",
      }),
      /reports IP 127\.0\.8\.99, but the node's IP is 127\.0\.8\.147: another machine claims its hostname/,
    );
    assert.strictEqual(
      sim.state.hostByName("ds07.ecs.openstack.com")?.clusterName,
      undefined,
      "not added to the cluster",
    );
  });

  it("runs serialized as the engine runs it, and its errors keep CM's message (they used to reach the engine as 'Unknown Error')", async function () {
    this.timeout(60_000);
    sim = await startSim({ tls: true });
    const ds02 = sim.state.hostByName(DS02)!;
    // A second record of the hostname: the host stage must report it, not guess.
    sim.state.hosts.set("stale-ds02", {
      hostId: "stale-ds02",
      hostname: DS02,
      ipAddress: "127.0.8.200",
      agentUp: false,
      lastHeartbeatMs: 0,
    });
    const serialized = await runtime.serializeFunction(() => cmStageProvider);
    const mod = { exports: {} as Record<string, () => typeof cmStageProvider> };
    new Function("module", "exports", "require", serialized.text)(mod, mod.exports, require);
    const provider = mod.exports[serialized.exportName]();
    const stored = {
      ...connection(sim),
      hostname: DS02,
      instanceId: "vm-1",
      hostId: ds02.hostId,
      stage: "cm-host",
    };
    await assert.rejects(
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      provider.delete!(ds02.hostId, stored as any),
      (e: unknown) => {
        assert.ok(e instanceof Error, `an Error, not ${String(e)}`);
        assert.match(
          e.message,
          /CM has 2 host records for ds02\.ecs\.openstack\.com: .*stale-ds02 \(IP 127\.0\.8\.200/,
        );
        return true;
      },
    );
    assert.ok(
      sim.state.hosts.has(ds02.hostId) && sim.state.hosts.has("stale-ds02"),
      "neither record touched",
    );
  });

  it("one shared provider object serves all three stage types, routed by their inputs", async function () {
    this.timeout(60_000);
    const serialized = await runtime.serializeFunction(() => cmStageProvider);
    for (const marker of ["ensureHostRemoved", "ensureRoleDeleted", "ensureHostInCluster", "refreshCluster"])
      assert.ok(serialized.text.includes(marker), `serialized shared provider has ${marker}`);
    assert.ok(!serialized.containsSecrets);
    const conn = { cmUrl: "https://cm:7183", cmUsername: "admin", cmPassword: "x", cluster: "c" };
    const reasons = async (news: object) =>
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      ((await cmStageProvider.check!({} as any, news as any)).failures ?? []).map((f) => f.reason);
    assert.deepStrictEqual(await reasons({ ...conn, hostname: DS02 }), ["instanceId is required"]);
    assert.deepStrictEqual(await reasons({ ...conn, hostname: DS02, hostId: "h", roleType: "ECS_MASTER" }), [
      "roleType must be one of ECS_SERVER, ECS_AGENT",
    ]);
    assert.deepStrictEqual(await reasons({ ...conn, triggers: "r1" }), ["triggers must be a list"]);
  });
});
