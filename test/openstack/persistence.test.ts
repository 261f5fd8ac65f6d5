import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startOpenStackSimulator } from "../../lab/openstack/server";
import { at, OsClient, OTHER_ACCOUNT, PASSWORD, str } from "./client";
import { bootServer, createPort, createVolume, pollUntil, seeded } from "./fixtures";

describe("openstack simulator: state survives a restart", () => {
  it("finds the same servers, ports, volumes and token after a restart on the same state file", async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), "ossim-persist-")), "state.json");
    const sim1 = await startOpenStackSimulator({ password: PASSWORD, stateFile });
    const os1 = new OsClient(sim1);
    await os1.authenticate();
    const s = await seeded(os1);
    const port = await createPort(os1, s, "node-1", "127.0.8.141");
    const server = await bootServer(os1, s, "ecs-server-1", { port });
    const vol = await createVolume(os1, "data");
    await sim1.stop();
    assert.equal(statSync(stateFile).mode & 0o777, 0o600);
    assert.ok(!readFileSync(stateFile, "utf8").includes(PASSWORD));

    const sim2 = await startOpenStackSimulator({ password: PASSWORD, stateFile });
    try {
      const os2 = new OsClient(sim2);
      os2.token = os1.token; // a token issued before the restart is still valid (allow_reauth covers expiry)
      const srv = await os2.compute("GET", `/servers/${server}`);
      assert.equal(srv.status, 200);
      assert.equal(str(srv.body, "server", "status"), "ACTIVE");
      assert.equal(at(srv.body, "server", "addresses", "ecs-net", 0, "addr"), "127.0.8.141");
      assert.equal((await os2.volume("GET", `/volumes/${vol}`)).status, 200);
      assert.equal((await seeded(os2)).network, s.network, "seed is not re-created");
    } finally {
      await sim2.stop();
    }
  });

  it("a boot that was in progress at shutdown completes after the restart", async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), "ossim-persist-")), "state.json");
    const sim1 = await startOpenStackSimulator({ password: PASSWORD, stateFile, bootDelayMs: 400 });
    const os1 = new OsClient(sim1);
    await os1.authenticate();
    const server = await bootServer(os1, await seeded(os1), "slow");
    assert.equal(str((await os1.compute("GET", `/servers/${server}`)).body, "server", "status"), "BUILD");
    await sim1.stop();
    const sim2 = await startOpenStackSimulator({ password: PASSWORD, stateFile });
    try {
      const active = sim2.hooks.waitFor((e) => e.type === "active" && e.serverId === server, 5000);
      const os2 = new OsClient(sim2);
      await os2.authenticate();
      await active;
      const r = await pollUntil(
        () => os2.compute("GET", `/servers/${server}`),
        (x) => at(x.body, "server", "status") === "ACTIVE",
      );
      assert.equal(at(r.body, "server", "status"), "ACTIVE");
    } finally {
      await sim2.stop();
    }
  });

  it("keeps the detach audit across a restart", async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), "ossim-persist-")), "state.json");
    const sim1 = await startOpenStackSimulator({ password: PASSWORD, stateFile });
    const os1 = new OsClient(sim1);
    await os1.authenticate();
    const server = await bootServer(os1, await seeded(os1), "ecs-agent-1");
    const vol = await createVolume(os1, "data");
    await os1.compute("POST", `/servers/${server}/os-volume_attachments`, {
      volumeAttachment: { volumeId: vol },
    });
    assert.equal(
      (await os1.compute("DELETE", `/servers/${server}/os-volume_attachments/${vol}`)).status,
      409,
    );
    await sim1.stop();
    const sim2 = await startOpenStackSimulator({ password: PASSWORD, stateFile });
    try {
      assert.deepEqual(sim2.detachAudit(), sim1.detachAudit());
      assert.deepEqual(
        sim2.detachAudit().map((d) => [d.kind, d.serverStatus, d.refused]),
        [["nova-detach", "ACTIVE", true]],
      );
    } finally {
      await sim2.stop();
    }
  });

  it("upgrades a state file written before projects and the audit: old servers and tokens stay the lab's", async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), "ossim-persist-")), "state.json");
    const sim1 = await startOpenStackSimulator({ password: PASSWORD, stateFile });
    const os1 = new OsClient(sim1);
    await os1.authenticate();
    const server = await bootServer(os1, await seeded(os1), "ecs-server-1");
    const vol = await createVolume(os1, "data");
    await sim1.stop();
    // What an older simulator wrote: no second project, no audit, no owners, tokens without user/project.
    const old = JSON.parse(readFileSync(stateFile, "utf8")) as Record<string, unknown>;
    delete old.otherAccounts;
    delete old.detachAudit;
    for (const key of ["servers", "volumes"])
      for (const x of old[key] as Record<string, unknown>[]) delete x.projectId;
    for (const t of old.tokens as Record<string, unknown>[]) {
      delete t.userId;
      delete t.projectId;
    }
    writeFileSync(stateFile, JSON.stringify(old));

    const sim2 = await startOpenStackSimulator({ password: PASSWORD, stateFile });
    try {
      const os2 = new OsClient(sim2);
      os2.token = os1.token;
      assert.equal(str((await os2.compute("GET", `/servers/${server}`)).body, "server", "status"), "ACTIVE");
      assert.equal((await os2.volume("GET", `/volumes/${vol}`)).status, 200);
      assert.deepEqual(sim2.detachAudit(), []);
      const other = new OsClient(sim2, OTHER_ACCOUNT);
      assert.equal((await other.authenticate()).status, 201, "the second project is added");
      assert.equal((await other.compute("GET", `/servers/${server}`)).status, 404);
    } finally {
      await sim2.stop();
    }
  });
});
