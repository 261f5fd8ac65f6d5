// The provider's call sequence for the six ECS nodes, replayed over HTTP: up, replace one instance
// (delete-before-replace; port and volume kept), then destroy. The real-engine version of this
// scenario needs the Pulumi CLI and the OpenStack provider binary (see README).
import { strict as assert } from "node:assert";
import type { ServerEvent } from "../../lab/openstack/hooks";
import type { OpenStackSimulator } from "../../lab/openstack/server";
import { arr, at, OsClient, startSim, str, type Reply } from "./client";
import {
  bootServer,
  createPort,
  createServerGroup,
  createVolume,
  pollUntil,
  seeded,
  type Seeded,
} from "./fixtures";

interface Node {
  name: string;
  ip: string;
  role: "server" | "agent";
  port: string;
  volume: string;
  server: string;
}

async function attach(os: OsClient, server: string, volume: string): Promise<void> {
  const r = await os.compute("POST", `/servers/${server}/os-volume_attachments`, {
    volumeAttachment: { volumeId: volume },
  });
  assert.equal(r.status, 200, r.text);
  // The provider's wait: Nova GET of the attachment, then Cinder status must be in-use.
  assert.equal((await os.compute("GET", `/servers/${server}/os-volume_attachments/${volume}`)).status, 200);
  assert.equal(str((await os.volume("GET", `/volumes/${volume}`)).body, "volume", "status"), "in-use");
}

/** The provider's create wait: poll GET /servers/{id} while BUILD. */
function untilActive(os: OsClient, server: string): Promise<Reply> {
  return pollUntil(
    () => os.compute("GET", `/servers/${server}`),
    (r) => at(r.body, "server", "status") !== "BUILD",
  );
}

/** os-stop, then the wait for SHUTOFF: the lab refuses to detach a data volume from a running guest. */
async function powerOff(os: OsClient, server: string): Promise<void> {
  assert.equal((await os.compute("POST", `/servers/${server}/action`, { "os-stop": null })).status, 202);
  const r = await pollUntil(
    () => os.compute("GET", `/servers/${server}`),
    (x) => at(x.body, "server", "status") === "SHUTOFF",
  );
  assert.equal(at(r.body, "server", "status"), "SHUTOFF");
}

/** The provider's volume-attach delete loop: GET (404 = done), DELETE, repeat. */
async function detach(os: OsClient, server: string, volume: string): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const g = await os.compute("GET", `/servers/${server}/os-volume_attachments/${volume}`);
    if (g.status === 404) return;
    const d = await os.compute("DELETE", `/servers/${server}/os-volume_attachments/${volume}`);
    if (d.status === 404) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail("volume did not detach");
}

describe("openstack simulator: six ECS nodes, one replacement, destroy", () => {
  let sim: OpenStackSimulator;
  let os: OsClient;
  let s: Seeded;
  const nodes: Node[] = [];
  const events: ServerEvent[] = [];
  let groups: { server: string; agent: string };

  before(async () => {
    ({ sim, os } = await startSim({ bootDelayMs: 50, volumeDelayMs: 0 }));
    s = await seeded(os);
    sim.hooks.onServer((e) => events.push(e));
  });
  after(() => sim.stop());

  it("up: ports with fixed IPs .141-.146, volumes, two anti-affinity groups, six servers, attachments", async () => {
    groups = {
      server: await createServerGroup(os, "ecs-servers"),
      agent: await createServerGroup(os, "ecs-agents"),
    };
    for (let i = 1; i <= 6; i++) {
      const role = i <= 3 ? "server" : "agent";
      const name = role === "server" ? `ecs-server-${i}` : `ecs-agent-${i - 3}`;
      const ip = `127.0.8.${140 + i}`;
      nodes.push({
        name,
        ip,
        role,
        port: await createPort(os, s, `${name}-port`, ip),
        volume: await createVolume(os, `${name}-data`, 100),
        server: "",
      });
    }
    for (const n of nodes) {
      n.server = await bootServer(os, s, n.name, {
        port: n.port,
        group: n.role === "server" ? groups.server : groups.agent,
        flavor: n.role === "server" ? s.serverFlavor : s.agentFlavor,
      });
    }
    for (const n of nodes) {
      const srv = at((await untilActive(os, n.server)).body, "server");
      assert.equal(at(srv, "status"), "ACTIVE", n.name);
      assert.equal(at(srv, "addresses", "ecs-net", 0, "addr"), n.ip);
      await attach(os, n.server, n.volume);
    }
    const hostsOf = async (role: string): Promise<Set<unknown>> =>
      new Set(
        await Promise.all(
          nodes
            .filter((n) => n.role === role)
            .map(async (n) =>
              at(
                (await os.compute("GET", `/servers/${n.server}`)).body,
                "server",
                "OS-EXT-SRV-ATTR:hypervisor_hostname",
              ),
            ),
        ),
      );
    assert.equal((await hostsOf("server")).size, 3, "ECS servers spread over three hypervisors");
    assert.equal((await hostsOf("agent")).size, 3, "ECS agents spread over three hypervisors");
    assert.deepEqual(
      events
        .filter((e) => e.type === "active")
        .map((e) => e.fixedIps[0])
        .sort(),
      nodes.map((n) => n.ip).sort(),
    );
  });

  it("replace ecs-server-2: stop, detach, delete, boot on the same port, reattach; IP, MAC and data volume kept", async () => {
    const n = nodes[1];
    const before = at((await os.network("GET", `/ports/${n.port}`)).body, "port") as Record<string, unknown>;
    await powerOff(os, n.server);
    await detach(os, n.server, n.volume);
    assert.equal((await os.compute("DELETE", `/servers/${n.server}`)).status, 204);
    assert.equal((await os.compute("GET", `/servers/${n.server}`)).status, 404);
    const old = n.server;
    n.server = await bootServer(os, s, n.name, {
      port: n.port,
      group: groups.server,
      flavor: s.serverFlavor,
    });
    await untilActive(os, n.server);
    await attach(os, n.server, n.volume);
    const srv = at((await os.compute("GET", `/servers/${n.server}`)).body, "server");
    assert.notEqual(n.server, old);
    assert.equal(at(srv, "status"), "ACTIVE");
    assert.equal(at(srv, "addresses", "ecs-net", 0, "addr"), "127.0.8.142");
    const after = at((await os.network("GET", `/ports/${n.port}`)).body, "port") as Record<string, unknown>;
    assert.equal(after.mac_address, before.mac_address);
    assert.deepEqual(after.fixed_ips, before.fixed_ips);
    assert.equal(after.device_id, n.server);
    assert.equal(
      str((await os.volume("GET", `/volumes/${n.volume}`)).body, "volume", "attachments", 0, "server_id"),
      n.server,
    );
    const members = arr(
      (await os.compute("GET", `/os-server-groups/${groups.server}`)).body,
      "server_group",
      "members",
    );
    assert.ok(
      members.includes(n.server) && !members.includes(old),
      "group membership follows the replacement",
    );
    assert.deepEqual(
      events.filter((e) => e.name === n.name).map((e) => e.type),
      ["create", "active", "stop", "delete", "create", "active"],
    );
  });

  it("destroy in reverse order leaves only the seed behind", async () => {
    // `pulumi destroy` deletes the attachments before the servers, from ACTIVE: the lab must allow it.
    sim.setLiveDetach("allow");
    for (const n of nodes) await detach(os, n.server, n.volume);
    const live = sim.detachAudit().filter((d) => d.serverStatus === "ACTIVE");
    assert.deepEqual(
      live.map((d) => [d.serverName, d.refused]),
      nodes.map((n) => [n.name, false]),
    );
    for (const n of nodes) assert.equal((await os.compute("DELETE", `/servers/${n.server}`)).status, 204);
    for (const n of nodes) {
      assert.equal((await os.volume("DELETE", `/volumes/${n.volume}`)).status, 202);
      assert.equal((await os.network("DELETE", `/ports/${n.port}`)).status, 204);
    }
    for (const g of Object.values(groups))
      assert.equal((await os.compute("DELETE", `/os-server-groups/${g}`)).status, 204);
    assert.deepEqual(sim.summary(), {
      servers: 0,
      ports: 0,
      volumes: 0,
      serverGroups: 0,
      keypairs: 0,
      securityGroups: 0,
      securityGroupRules: 0,
      networks: 0,
      subnets: 0,
    });
    assert.equal(sim.isEmpty(), true);
  });
});
