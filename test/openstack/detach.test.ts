// The lab's live-detach policy and detach audit: a data volume may only leave a VM that Nova has
// powered off (os-stop, SHUTOFF); every detach, refused or not, is recorded with the server's status.
import { strict as assert } from "node:assert";
import type { DetachRecord, OpenStackSimulator } from "../../lab/openstack/server";
import { at, OsClient, startSim, str, type Reply } from "./client";
import { bootServer, createVolume, pollUntil, seeded, type Seeded } from "./fixtures";

const refusal = (volume: string, name: string, server: string, status: string): string =>
  `the ECS lab refuses to detach volume ${volume} from server ${name} (${server}) while it is ${status}: ` +
  "the guest may still be writing to it; stop the server first (os-stop) and detach from SHUTOFF.";

describe("openstack simulator: live-detach policy and detach audit", () => {
  let sim: OpenStackSimulator;
  let os: OsClient;
  let s: Seeded;

  beforeEach(async () => {
    ({ sim, os } = await startSim());
    s = await seeded(os);
  });
  afterEach(() => sim.stop());

  /** A server named `name` with a fresh volume attached (in-use). */
  async function attached(name: string): Promise<{ server: string; volume: string }> {
    const server = await bootServer(os, s, name);
    const volume = await createVolume(os, `${name}-data`);
    await pollUntil(
      () => os.volume("GET", `/volumes/${volume}`),
      (x) => at(x.body, "volume", "status") === "available",
    );
    const r = await os.compute("POST", `/servers/${server}/os-volume_attachments`, {
      volumeAttachment: { volumeId: volume },
    });
    assert.equal(r.status, 200, r.text);
    await pollUntil(
      () => os.volume("GET", `/volumes/${volume}`),
      (x) => at(x.body, "volume", "status") === "in-use",
    );
    return { server, volume };
  }

  const novaDetach = (server: string, volume: string): Promise<Reply> =>
    os.compute("DELETE", `/servers/${server}/os-volume_attachments/${volume}`);
  const volumeStatus = async (volume: string): Promise<string> =>
    str((await os.volume("GET", `/volumes/${volume}`)).body, "volume", "status");
  const stop = async (server: string): Promise<void> => {
    const stopped = sim.hooks.waitFor((e) => e.type === "stop" && e.serverId === server, 5000);
    assert.equal((await os.compute("POST", `/servers/${server}/action`, { "os-stop": null })).status, 202);
    await stopped;
  };
  const without = (records: DetachRecord[]): Omit<DetachRecord, "at">[] =>
    records.map(({ at: when, ...rest }) => {
      assert.ok(!Number.isNaN(Date.parse(when)), `ISO time, got ${when}`);
      return rest;
    });

  it("a Nova detach from ACTIVE is refused with 409 (Nova body) and recorded refused; the volume stays attached", async () => {
    const { server, volume } = await attached("ecs-agent-1");
    const r = await novaDetach(server, volume);
    assert.equal(r.status, 409);
    const message = refusal(volume, "ecs-agent-1", server, "ACTIVE");
    assert.deepEqual(r.body, { conflictingRequest: { code: 409, message } });
    assert.equal(await volumeStatus(volume), "in-use");
    assert.equal((await os.compute("GET", `/servers/${server}/os-volume_attachments/${volume}`)).status, 200);
    assert.deepEqual(without(sim.detachAudit()), [
      {
        kind: "nova-detach",
        serverId: server,
        serverName: "ecs-agent-1",
        serverStatus: "ACTIVE",
        volumeId: volume,
        volumeName: "ecs-agent-1-data",
        volumeStatus: "in-use",
        refused: true,
        reason: message,
      },
    ]);
    sim.detachAudit().length = 0;
    assert.equal(sim.detachAudit().length, 1, "detachAudit() hands out a copy");
  });

  it("after os-stop the detach succeeds from SHUTOFF and is recorded; powering-off and a second DELETE are refused", async () => {
    sim.faults.setTiming({ powerDelayMs: 200, volumeDelayMs: 200 });
    const { server, volume } = await attached("ecs-server-2");
    const stopped = sim.hooks.waitFor((e) => e.type === "stop" && e.serverId === server, 5000);
    assert.equal((await os.compute("POST", `/servers/${server}/action`, { "os-stop": null })).status, 202);
    const early = await novaDetach(server, volume);
    assert.equal(early.status, 409, "still ACTIVE while powering off");
    assert.equal(
      str(early.body, "conflictingRequest", "message"),
      refusal(volume, "ecs-server-2", server, "ACTIVE (powering-off)"),
    );
    await stopped;
    assert.equal((await novaDetach(server, volume)).status, 202);
    assert.equal(await volumeStatus(volume), "detaching");
    const again = await novaDetach(server, volume);
    assert.equal(again.status, 400, "a detach during a detach (the provider retries)");
    await pollUntil(
      () => volumeStatus(volume),
      (x) => x === "available",
    );
    assert.equal(await volumeStatus(volume), "available");
    assert.deepEqual(
      sim.detachAudit().map((d) => [d.kind, d.serverStatus, d.volumeStatus, d.refused]),
      [
        ["nova-detach", "ACTIVE", "in-use", true],
        ["nova-detach", "SHUTOFF", "in-use", false],
        ["nova-detach", "SHUTOFF", "detaching", true],
      ],
    );
    assert.equal(sim.detachAudit()[1].reason, undefined);
    assert.match(sim.detachAudit()[2].reason ?? "", /Unable to detach volume/);
  });

  it("a SHUTOFF server that is starting again is refused too", async () => {
    sim.faults.setTiming({ powerDelayMs: 200 });
    const { server, volume } = await attached("ecs-agent-2");
    await stop(server);
    assert.equal((await os.compute("POST", `/servers/${server}/action`, { "os-start": null })).status, 202);
    const r = await novaDetach(server, volume);
    assert.equal(r.status, 409);
    assert.equal(
      str(r.body, "conflictingRequest", "message"),
      refusal(volume, "ecs-agent-2", server, "SHUTOFF (powering-on)"),
    );
  });

  it('"allow" (at run time or as an option) lets a detach from ACTIVE through and records ACTIVE', async () => {
    assert.equal(sim.liveDetach, "refuse", "the default");
    const { server, volume } = await attached("ecs-agent-3");
    sim.setLiveDetach("allow");
    assert.equal((await novaDetach(server, volume)).status, 202);
    assert.equal(await volumeStatus(volume), "available");
    assert.deepEqual(
      sim.detachAudit().map((d) => [d.kind, d.serverStatus, d.refused]),
      [["nova-detach", "ACTIVE", false]],
    );
    assert.throws(() => sim.setLiveDetach("sometimes" as never), /"refuse" or "allow"/);

    const other = await startSim({ liveDetach: "allow" });
    try {
      assert.equal(other.sim.liveDetach, "allow");
      const o = await seeded(other.os);
      const vm = await bootServer(other.os, o, "n");
      const vol = await createVolume(other.os, "d");
      await other.os.compute("POST", `/servers/${vm}/os-volume_attachments`, {
        volumeAttachment: { volumeId: vol },
      });
      assert.equal(
        (await other.os.compute("DELETE", `/servers/${vm}/os-volume_attachments/${vol}`)).status,
        202,
      );
    } finally {
      await other.sim.stop();
    }
  });

  it("deleting a server with an attached volume is not refused and is recorded as server-delete", async () => {
    const { server, volume } = await attached("ecs-server-3");
    assert.equal((await os.compute("DELETE", `/servers/${server}`)).status, 204);
    assert.equal(await volumeStatus(volume), "available");
    assert.deepEqual(
      without(sim.detachAudit()).map(({ kind, serverId, serverStatus, volumeId, volumeStatus, refused }) => ({
        kind,
        serverId,
        serverStatus,
        volumeId,
        volumeStatus,
        refused,
      })),
      [
        {
          kind: "server-delete",
          serverId: server,
          serverStatus: "ACTIVE",
          volumeId: volume,
          volumeStatus: "in-use",
          refused: false,
        },
      ],
    );
  });

  it("Cinder os-detach / os-force_detach follow the same policy and are recorded as cinder-detach", async () => {
    const { server, volume } = await attached("ecs-agent-4");
    const detach = { "os-detach": { attachment_id: volume } };
    const r = await os.volume("POST", `/volumes/${volume}/action`, detach);
    assert.equal(r.status, 409);
    assert.equal(
      str(r.body, "conflictingRequest", "message"),
      refusal(volume, "ecs-agent-4", server, "ACTIVE"),
    );
    const force = await os.volume("POST", `/volumes/${volume}/action`, { "os-force_detach": {} });
    assert.equal(force.status, 409, "force does not bypass the policy");
    assert.equal(await volumeStatus(volume), "in-use");
    await stop(server);
    assert.equal((await os.volume("POST", `/volumes/${volume}/action`, detach)).status, 202);
    assert.equal(await volumeStatus(volume), "available");
    assert.equal((await os.compute("GET", `/servers/${server}/os-volume_attachments/${volume}`)).status, 404);
    assert.equal(
      (await os.volume("POST", `/volumes/${volume}/action`, detach)).status,
      400,
      "nothing left to detach",
    );
    assert.deepEqual(
      sim.detachAudit().map((d) => [d.kind, d.serverStatus, d.refused]),
      [
        ["cinder-detach", "ACTIVE", true],
        ["cinder-detach", "ACTIVE", true],
        ["cinder-detach", "SHUTOFF", false],
      ],
    );
  });

  it("the /_sim API reads the audit and sets the policy (a lab in another process)", async () => {
    const { server, volume } = await attached("ecs-agent-5");
    await novaDetach(server, volume);
    const audit = await os.raw("GET", `${sim.url}/_sim/detach-audit`);
    assert.equal(at(audit.body, "detaches", 0, "refused"), true);
    assert.equal((await os.raw("PUT", `${sim.url}/_sim/policy`, { liveDetach: "maybe" })).status, 400);
    const set = await os.raw("PUT", `${sim.url}/_sim/policy`, { liveDetach: "allow" });
    assert.deepEqual(set.body, { liveDetach: "allow" });
    assert.equal(sim.liveDetach, "allow");
    assert.equal((await novaDetach(server, volume)).status, 202);
  });
});
