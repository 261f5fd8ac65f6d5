import { strict as assert } from "node:assert";
import type { ServerEvent } from "../../lab/openstack/hooks";
import { hostUsage } from "../../lab/openstack/nova-scheduler";
import type { SimState } from "../../lab/openstack/types";
import type { OpenStackSimulator } from "../../lab/openstack/server";
import {
  arr,
  at,
  GOPHERCLOUD_HINT_UUID,
  OsClient,
  RFC3339_Z,
  startSim,
  str,
  UUID_V4,
  type Reply,
} from "./client";
import { bootServer, createPort, createServerGroup, pollUntil, seeded, type Seeded } from "./fixtures";

describe("openstack simulator: nova", () => {
  let sim: OpenStackSimulator;
  let os: OsClient;
  let s: Seeded;
  const events: ServerEvent[] = [];

  beforeEach(async () => {
    ({ sim, os } = await startSim());
    s = await seeded(os);
    events.length = 0;
    sim.hooks.onServer((e) => events.push(e));
  });
  afterEach(() => sim.stop());

  it('lists flavors with the fields gophercloud parses (swap may be "") and the seeded sizes', async () => {
    const flavors = arr((await os.compute("GET", "/flavors/detail")).body, "flavors") as Record<
      string,
      unknown
    >[];
    const server = flavors.find((f) => f.name === "ecs.server");
    assert.deepEqual([server?.vcpus, server?.ram], [8, 32768]);
    const agent = flavors.find((f) => f.name === "ecs.agent");
    assert.deepEqual([agent?.vcpus, agent?.ram], [16, 65536]);
    assert.equal(server?.swap, "");
    assert.equal((await os.compute("GET", `/flavors/${s.serverFlavor}/os-extra_specs`)).status, 200);
    assert.equal((await os.compute("GET", "/flavors/nope")).status, 404);
  });

  it("creates key pairs with an MD5 fingerprint, echoes the public key, 409 on duplicates", async () => {
    const pub = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDu0lH1rK1pJ4Y1cDqHkQvM5ZsGk8z1iFz7aH8cHc0uX lab@ecs";
    const r = await os.compute("POST", "/os-keypairs", { keypair: { name: "ecs", public_key: pub } });
    assert.equal(r.status, 200);
    assert.match(str(r.body, "keypair", "fingerprint"), /^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
    const g = await os.compute("GET", "/os-keypairs/ecs");
    assert.equal(str(g.body, "keypair", "public_key"), pub, "byte for byte: public_key is ForceNew");
    assert.equal(
      (await os.compute("POST", "/os-keypairs", { keypair: { name: "ecs", public_key: pub } })).status,
      409,
    );
    assert.equal((await os.compute("DELETE", "/os-keypairs/ecs")).status, 202);
    assert.equal((await os.compute("GET", "/os-keypairs/ecs")).status, 404);
  });

  it("server groups: `policy` without microversion fails (provider falls back to `policies`), 2.64 read", async () => {
    const first = await os.compute("POST", "/os-server-groups", {
      server_group: { name: "g", policy: "anti-affinity" },
    });
    assert.equal(first.status, 400);
    const id = await createServerGroup(os, "g");
    assert.match(id, GOPHERCLOUD_HINT_UUID);
    const v264 = await os.compute("GET", `/os-server-groups/${id}`, undefined, "2.64");
    assert.equal(str(v264.body, "server_group", "policy"), "anti-affinity");
    assert.deepEqual(at(v264.body, "server_group", "rules"), {});
    const legacy = await os.compute("GET", `/os-server-groups/${id}`);
    assert.deepEqual(at(legacy.body, "server_group", "policies"), ["anti-affinity"]);
    assert.equal((await os.compute("DELETE", `/os-server-groups/${id}`)).status, 204);
    assert.equal((await os.compute("GET", `/os-server-groups/${id}`)).status, 404);
  });

  it("boots BUILD -> ACTIVE after the boot delay and renders the server as the provider reads it", async () => {
    sim.faults.setTiming({ bootDelayMs: 300 });
    const port = await createPort(os, s, "node-1", "127.0.8.141");
    const id = await bootServer(os, s, "ecs-server-1", { port });
    assert.match(id, UUID_V4);
    const first = await os.compute("GET", `/servers/${id}`);
    assert.equal(str(first.body, "server", "status"), "BUILD");
    assert.equal(at(first.body, "server", "OS-EXT-STS:task_state"), "spawning");
    const done = await pollUntil(
      () => os.compute("GET", `/servers/${id}`),
      (r) => at(r.body, "server", "status") === "ACTIVE",
    );
    const srv = at(done.body, "server") as Record<string, unknown>;
    assert.equal(srv.status, "ACTIVE");
    assert.match(str(srv, "created"), RFC3339_Z);
    assert.match(str(srv, "updated"), RFC3339_Z);
    assert.equal(typeof at(srv, "flavor", "id"), "string", "flavor.id must be a string below 2.47");
    const addr = at(srv, "addresses", "ecs-net", 0) as Record<string, unknown>;
    assert.equal(addr.addr, "127.0.8.141");
    assert.equal(addr.version, 4, "a number: the provider asserts float64");
    assert.match(String(addr["OS-EXT-IPS-MAC:mac_addr"]), /^fa:16:3e(:[0-9a-f]{2}){3}$/);
    assert.deepEqual(srv.security_groups, [{ name: "default" }]);
    assert.ok(String(srv["OS-EXT-SRV-ATTR:hypervisor_hostname"]).startsWith("compute-"));
    assert.deepEqual(
      events.map((e) => e.type),
      ["create", "active"],
    );
    assert.deepEqual(events[1].fixedIps, ["127.0.8.141"]);
    const p = await os.network("GET", `/ports/${port}`);
    assert.equal(str(p.body, "port", "device_id"), id);
    assert.equal(str(p.body, "port", "status"), "ACTIVE");
    assert.equal(str(p.body, "port", "binding:vif_type"), "ovs");
    const tags = await os.compute("GET", `/servers/${id}/tags`, undefined, "2.26");
    assert.deepEqual(tags.body, { tags: [] });
  });

  it("stop/start: 202, SHUTOFF/ACTIVE, 409 when already in that state, and lab hooks fire", async () => {
    const id = await bootServer(os, s, "ecs-agent-1", { flavor: s.agentFlavor });
    assert.equal((await os.compute("POST", `/servers/${id}/action`, { "os-stop": null })).status, 202);
    assert.equal(str((await os.compute("GET", `/servers/${id}`)).body, "server", "status"), "SHUTOFF");
    assert.equal(at((await os.compute("GET", `/servers/${id}`)).body, "server", "OS-EXT-STS:power_state"), 4);
    assert.equal((await os.compute("POST", `/servers/${id}/action`, { "os-stop": null })).status, 409);
    assert.equal((await os.compute("POST", `/servers/${id}/action`, { "os-start": null })).status, 202);
    assert.equal(str((await os.compute("GET", `/servers/${id}`)).body, "server", "status"), "ACTIVE");
    assert.deepEqual(
      events.map((e) => e.type),
      ["create", "active", "stop", "start"],
    );
  });

  it("os-stop with a power delay: ACTIVE (powering-off), then SHUTOFF and `stop`; Nova's 409 texts; os-start back", async () => {
    sim.faults.setTiming({ powerDelayMs: 200 });
    const id = await bootServer(os, s, "ecs-agent-2", { flavor: s.agentFlavor });
    const action = (a: string): Promise<Reply> => os.compute("POST", `/servers/${id}/action`, { [a]: null });
    const stopped = sim.hooks.waitFor((e) => e.type === "stop" && e.serverId === id);
    assert.equal((await action("os-stop")).status, 202);
    const during = at((await os.compute("GET", `/servers/${id}`)).body, "server");
    assert.deepEqual([at(during, "status"), at(during, "OS-EXT-STS:task_state")], ["ACTIVE", "powering-off"]);
    const busy = await action("os-stop");
    assert.deepEqual(busy.body, {
      conflictingRequest: {
        code: 409,
        message: `Cannot 'stop' instance ${id} while it is in task_state powering-off`,
      },
    });
    const e = await stopped;
    assert.equal(e.status, "SHUTOFF");
    const off = at((await os.compute("GET", `/servers/${id}`)).body, "server");
    assert.deepEqual(
      [at(off, "status"), at(off, "OS-EXT-STS:vm_state"), at(off, "OS-EXT-STS:power_state")],
      ["SHUTOFF", "stopped", 4],
    );
    const again = await action("os-stop");
    assert.equal(again.status, 409);
    assert.deepEqual(again.body, {
      conflictingRequest: {
        code: 409,
        message: `Cannot 'stop' instance ${id} while it is in vm_state stopped`,
      },
    });
    const started = sim.hooks.waitFor((x) => x.type === "start" && x.serverId === id);
    assert.equal((await action("os-start")).status, 202);
    assert.equal((await started).status, "ACTIVE");
    assert.equal(str((await os.compute("GET", `/servers/${id}`)).body, "server", "status"), "ACTIVE");
    assert.match(
      str((await action("os-start")).body, "conflictingRequest", "message"),
      /in vm_state active$/,
    );
  });

  it("GET /servers/{id} of an unknown ID answers Nova's itemNotFound 404", async () => {
    const id = "00000000-0000-4000-8000-000000000000";
    const r = await os.compute("GET", `/servers/${id}`);
    assert.equal(r.status, 404);
    assert.deepEqual(r.body, { itemNotFound: { code: 404, message: `Instance ${id} could not be found.` } });
  });

  it("lists servers: /servers/detail with status and metadata, filtered by name (regex) and status", async () => {
    const one = await bootServer(os, s, "ecs-server-1");
    const two = await bootServer(os, s, "ecs-server-2");
    await os.compute("POST", `/servers/${two}/action`, { "os-stop": null });
    const detail = arr((await os.compute("GET", "/servers/detail")).body, "servers");
    assert.deepEqual(
      detail.map((x) => [at(x, "id"), at(x, "name"), at(x, "status"), at(x, "metadata")]),
      [
        [one, "ecs-server-1", "ACTIVE", { role: "test" }],
        [two, "ecs-server-2", "SHUTOFF", { role: "test" }],
      ],
    );
    const byName = arr((await os.compute("GET", "/servers/detail?name=ecs-server-2")).body, "servers");
    assert.deepEqual(
      byName.map((x) => at(x, "id")),
      [two],
    );
    const byStatus = arr((await os.compute("GET", "/servers/detail?status=SHUTOFF")).body, "servers");
    assert.deepEqual(
      byStatus.map((x) => at(x, "id")),
      [two],
    );
    // As in Nova, the plain list carries only id, name and links: status and metadata need /detail.
    const plain = arr((await os.compute("GET", "/servers?name=ecs-server")).body, "servers");
    assert.deepEqual(
      plain.map((x) => Object.keys(x as object).sort()),
      [
        ["id", "links", "name"],
        ["id", "links", "name"],
      ],
    );
    assert.deepEqual(
      arr((await os.compute("GET", "/servers?name=^ecs-server-1$")).body, "servers").map((x) => at(x, "id")),
      [one],
    );
  });

  it("delete: 204, then 404 at once (the provider's wait has ACTIVE/SHUTOFF as the only pending states)", async () => {
    const port = await createPort(os, s, "keep-me", "127.0.8.142");
    const id = await bootServer(os, s, "victim", { port });
    assert.equal((await os.compute("DELETE", `/servers/${id}`)).status, 204);
    assert.equal((await os.compute("GET", `/servers/${id}`)).status, 404);
    const p = await os.network("GET", `/ports/${port}`);
    assert.equal(str(p.body, "port", "device_id"), "", "a given port is unbound, not deleted");
    assert.deepEqual(at(p.body, "port", "fixed_ips", 0, "ip_address"), "127.0.8.142");
    assert.equal(str(p.body, "port", "status"), "DOWN");
    assert.equal(events.at(-1)?.type, "delete");
    assert.deepEqual(events.at(-1)?.fixedIps, ["127.0.8.142"]);
  });

  it("a port already bound to a server cannot be given to another one (409)", async () => {
    const port = await createPort(os, s, "shared");
    await bootServer(os, s, "a", { port });
    const r = await os.compute("POST", "/servers", {
      server: {
        name: "b",
        imageRef: s.image,
        flavorRef: s.serverFlavor,
        networks: [{ uuid: s.network, port }],
      },
    });
    assert.equal(r.status, 409);
  });

  it("networks [{uuid}] make a Nova-owned port that goes away with the server", async () => {
    const id = await bootServer(os, s, "auto-port");
    const ports = arr((await os.network("GET", `/ports?device_id=${id}`)).body, "ports");
    assert.equal(ports.length, 1);
    assert.equal(str(ports, 0, "device_owner"), "compute:nova");
    await os.compute("DELETE", `/servers/${id}`);
    assert.equal(arr((await os.network("GET", `/ports?device_id=${id}`)).body, "ports").length, 0);
  });

  it("resize as Nova does it: the guest restarted on another host (RESIZE), VERIFY_RESIZE until confirmed; revert goes back", async () => {
    sim.faults.setTiming({ powerDelayMs: 200 });
    const id = await bootServer(os, s, "ecs-agent-3", { flavor: s.agentFlavor });
    const action = (body: Record<string, unknown>): Promise<Reply> =>
      os.compute("POST", `/servers/${id}/action`, body);
    const view = async () => at((await os.compute("GET", `/servers/${id}`)).body, "server");
    const record = () => sim.snapshot().servers.find((x) => x.id === id)!;
    const source = record().host;

    let resized = sim.hooks.waitFor((e) => e.type === "resized" && e.serverId === id);
    assert.equal((await action({ resize: { flavorRef: s.serverFlavor } })).status, 202);
    const during = await view();
    assert.deepEqual(
      [at(during, "status"), at(during, "OS-EXT-STS:task_state")],
      ["RESIZE", "resize_migrating"],
    );
    assert.equal((await action({ confirmResize: null })).status, 409, "nothing to confirm while it moves");
    await resized;
    assert.equal(at(await view(), "status"), "VERIFY_RESIZE");
    const moved = record();
    assert.notEqual(moved.host, source, "moved to another host");
    assert.deepEqual(
      [moved.flavorId, moved.oldFlavorId, moved.resizeSourceHost],
      [s.serverFlavor, s.agentFlavor, source],
    );
    const ports = () => sim.snapshot().ports.filter((p) => p.deviceId === id);
    assert.deepEqual(
      ports().map((p) => p.hostId),
      [moved.host],
      "its port is bound on the new host",
    );
    // Until the confirm, the source host still holds the old flavor, the target the new one.
    const used = (host: string | null) => {
      const u = hostUsage(sim.snapshot() as SimState).find((h) => h.name === host)!;
      const all = sim.snapshot().hypervisors.find((h) => h.name === host)!;
      return all.vcpus - u.freeVcpus;
    };
    assert.deepEqual([used(source), used(moved.host)], [16, 8]);
    assert.equal((await action({ confirmResize: null })).status, 204);
    assert.equal(at(await view(), "status"), "ACTIVE");
    assert.deepEqual([record().oldFlavorId, record().resizeSourceHost], [null, null]);
    assert.deepEqual([used(source), used(moved.host)], [0, 8], "the confirm frees the source host");

    const target = record().host;
    resized = sim.hooks.waitFor((e) => e.type === "resized" && e.serverId === id);
    assert.equal((await action({ resize: { flavorRef: s.agentFlavor } })).status, 202);
    await resized;
    resized = sim.hooks.waitFor((e) => e.type === "resized" && e.serverId === id);
    assert.equal((await action({ revertResize: null })).status, 202);
    assert.equal(at(await view(), "status"), "REVERT_RESIZE");
    await resized;
    assert.equal(at(await view(), "status"), "ACTIVE");
    assert.deepEqual([record().host, record().flavorId], [target, s.serverFlavor], "back where it was");
    assert.deepEqual(
      ports().map((p) => p.hostId),
      [target],
    );
    assert.equal(
      sim.snapshot().hypervisors.reduce((n, h) => n + used(h.name), 0),
      8,
      "after the revert only the old flavor is held",
    );
    // Each resize and the revert restarted the guest: the lab's node goes silent, then comes back.
    assert.deepEqual(
      events.filter((e) => e.serverId === id).map((e) => e.type),
      ["create", "active", "restarting", "resized", "restarting", "resized", "restarting", "resized"],
    );
  });

  it("reboot: REBOOT while the guest restarts (the lab's node goes silent), then ACTIVE", async () => {
    sim.faults.setTiming({ powerDelayMs: 200 });
    const id = await bootServer(os, s, "ecs-agent-4", { flavor: s.agentFlavor });
    const back = sim.hooks.waitFor((e) => e.type === "reboot" && e.serverId === id);
    assert.equal(
      (await os.compute("POST", `/servers/${id}/action`, { reboot: { type: "SOFT" } })).status,
      202,
    );
    const during = at((await os.compute("GET", `/servers/${id}`)).body, "server");
    assert.deepEqual([at(during, "status"), at(during, "OS-EXT-STS:task_state")], ["REBOOT", "rebooting"]);
    await back;
    assert.equal(str((await os.compute("GET", `/servers/${id}`)).body, "server", "status"), "ACTIVE");
    assert.deepEqual(
      events.filter((e) => e.serverId === id).map((e) => e.type),
      ["create", "active", "restarting", "reboot"],
    );
  });

  it("anti-affinity: three servers land on three hypervisors, a fourth ends in ERROR 'No valid host'", async () => {
    const group = await createServerGroup(os, "ecs-servers");
    const ids: string[] = [];
    for (let i = 1; i <= 4; i++) ids.push(await bootServer(os, s, `ecs-server-${i}`, { group }));
    const servers = await Promise.all(
      ids.map(async (id) => at((await os.compute("GET", `/servers/${id}`)).body, "server")),
    );
    const hosts = servers.slice(0, 3).map((x) => at(x, "OS-EXT-SRV-ATTR:hypervisor_hostname"));
    assert.equal(new Set(hosts).size, 3, `distinct hosts, got ${hosts.join(",")}`);
    assert.deepEqual(
      servers.slice(0, 3).map((x) => at(x, "status")),
      ["ACTIVE", "ACTIVE", "ACTIVE"],
    );
    assert.equal(at(servers[3], "status"), "ERROR");
    assert.match(str(servers[3], "fault", "message"), /^No valid host was found/);
    assert.equal(at(servers[3], "fault", "code"), 500);
    const members = at(
      (await os.compute("GET", `/os-server-groups/${group}`)).body,
      "server_group",
      "members",
    );
    assert.deepEqual(members, ids);
    // Freeing a host (delete-before-replace) lets the replacement schedule again.
    await os.compute("DELETE", `/servers/${ids[3]}`);
    await os.compute("DELETE", `/servers/${ids[0]}`);
    const again = await bootServer(os, s, "ecs-server-1b", { group });
    const replacement = at((await os.compute("GET", `/servers/${again}`)).body, "server");
    assert.equal(at(replacement, "status"), "ACTIVE");
    assert.equal(at(replacement, "OS-EXT-SRV-ATTR:hypervisor_hostname"), hosts[0]);
  });

  it("quota: the instance quota answers 403 'Quota exceeded'", async () => {
    sim.faults.setQuotas({ instances: 1 });
    await bootServer(os, s, "one");
    const r = await os.compute("POST", "/servers", {
      server: { name: "two", imageRef: s.image, flavorRef: s.serverFlavor, networks: [{ uuid: s.network }] },
    });
    assert.equal(r.status, 403);
    assert.match(str(r.body, "forbidden", "message"), /Quota exceeded for instances/);
  });

  it("rejects unknown flavor/image/key with 400 like Nova, and leaves no port behind", async () => {
    const base = { name: "x", imageRef: s.image, flavorRef: s.serverFlavor, networks: [{ uuid: s.network }] };
    assert.equal(
      (await os.compute("POST", "/servers", { server: { ...base, flavorRef: "nope" } })).status,
      400,
    );
    assert.equal(
      (await os.compute("POST", "/servers", { server: { ...base, imageRef: "nope" } })).status,
      400,
    );
    assert.equal(
      (await os.compute("POST", "/servers", { server: { ...base, key_name: "nope" } })).status,
      400,
    );
    assert.equal(sim.summary().ports, 0);
  });
});
