import { strict as assert } from "node:assert";
import type { OpenStackSimulator } from "../../lab/openstack/server";
import { arr, at, OsClient, RFC3339_Z, startSim, str } from "./client";
import { createPort, seeded, type Seeded } from "./fixtures";

describe("openstack simulator: neutron", () => {
  let sim: OpenStackSimulator;
  let os: OsClient;
  let s: Seeded;

  beforeEach(async () => {
    ({ sim, os } = await startSim());
    s = await seeded(os);
  });
  afterEach(() => sim.stop());

  it("seeds ecs-net with subnet 127.0.8.0/24 and answers the versionless root", async () => {
    const subnet = await os.network("GET", `/subnets/${s.subnet}`);
    assert.equal(str(subnet.body, "subnet", "cidr"), "127.0.8.0/24");
    assert.equal(str(subnet.body, "subnet", "gateway_ip"), "127.0.8.1");
    const root = await os.raw("GET", `${sim.url}/network`);
    assert.equal(str(root.body, "versions", 0, "id"), "v2.0");
  });

  it("creates a port (201) with the requested fixed IP and the default group; status DOWN while unbound", async () => {
    const r = await os.network("POST", "/ports", {
      port: {
        name: "node-1",
        network_id: s.network,
        fixed_ips: [{ subnet_id: s.subnet, ip_address: "127.0.8.141" }],
      },
    });
    assert.equal(r.status, 201);
    const p = at(r.body, "port") as Record<string, unknown>;
    assert.deepEqual(p.fixed_ips, [{ subnet_id: s.subnet, ip_address: "127.0.8.141" }]);
    assert.equal(p.status, "DOWN");
    assert.equal(p["binding:vif_type"], "unbound");
    assert.match(str(p, "created_at"), RFC3339_Z);
    const groups = arr((await os.network("GET", "/security-groups?name=default")).body, "security_groups");
    assert.deepEqual(p.security_groups, [str(groups, 0, "id")]);
  });

  it("lists only extensions it implements: extra DHCP options are refused, not dropped", async () => {
    const ext = arr((await os.network("GET", "/extensions")).body, "extensions").map((e) => str(e, "alias"));
    assert.ok(ext.includes("allowed-address-pairs") && !ext.includes("extra_dhcp_opt"), ext.join(","));
    const r = await os.network("POST", "/ports", {
      port: { network_id: s.network, extra_dhcp_opts: [{ opt_name: "mtu", opt_value: "1400" }] },
    });
    assert.equal(r.status, 400);
    assert.match(JSON.stringify(r.body), /extra_dhcp_opts/);
  });

  it("allocates the lowest free address, skipping the gateway and used ones", async () => {
    await createPort(os, s, "a", "127.0.8.2");
    const id = await createPort(os, s, "b");
    assert.equal(
      str((await os.network("GET", `/ports/${id}`)).body, "port", "fixed_ips", 0, "ip_address"),
      "127.0.8.3",
    );
  });

  it("409 for an address in use, 400 for one outside the subnet", async () => {
    await createPort(os, s, "a", "127.0.8.141");
    const dup = await os.network("POST", "/ports", {
      port: { network_id: s.network, fixed_ips: [{ subnet_id: s.subnet, ip_address: "127.0.8.141" }] },
    });
    assert.equal(dup.status, 409);
    assert.equal(str(dup.body, "NeutronError", "type"), "IpAddressAlreadyAllocated");
    const outside = await os.network("POST", "/ports", {
      port: { network_id: s.network, fixed_ips: [{ subnet_id: s.subnet, ip_address: "10.0.0.5" }] },
    });
    assert.equal(outside.status, 400);
  });

  it("list filters: by id (what the provider's instance lookup sends), by name, repeated keys are OR", async () => {
    const a = await createPort(os, s, "a");
    const b = await createPort(os, s, "b");
    assert.deepEqual(
      arr((await os.network("GET", `/ports?id=${a}`)).body, "ports").map((p) => at(p, "id")),
      [a],
    );
    assert.equal(arr((await os.network("GET", `/ports?name=a&name=b`)).body, "ports").length, 2);
    assert.equal(
      arr((await os.network("GET", `/networks?id=${s.network}&status=ACTIVE`)).body, "networks").length,
      1,
    );
    assert.equal(arr((await os.network("GET", `/networks?name=other`)).body, "networks").length, 0);
    void b;
  });

  it("security groups: two egress rules by default; delete is 409 while a port uses the group", async () => {
    const g = await os.network("POST", "/security-groups", {
      security_group: { name: "ecs", description: "ecs nodes" },
    });
    assert.equal(g.status, 201);
    const gid = str(g.body, "security_group", "id");
    const rules = arr(g.body, "security_group", "security_group_rules");
    assert.deepEqual(
      rules.map((x) => [at(x, "direction"), at(x, "ethertype")]),
      [
        ["egress", "IPv4"],
        ["egress", "IPv6"],
      ],
    );
    const port = await os.network("POST", "/ports", {
      port: { network_id: s.network, security_groups: [gid] },
    });
    assert.equal((await os.network("DELETE", `/security-groups/${gid}`)).status, 409);
    await os.network("DELETE", `/ports/${str(port.body, "port", "id")}`);
    assert.equal((await os.network("DELETE", `/security-groups/${gid}`)).status, 204);
    assert.equal((await os.network("GET", `/security-groups/${gid}`)).status, 404);
  });

  it("security group rules: create 201, duplicate 409, bad port range 400, normalised prefix", async () => {
    const gid = str(
      (await os.network("POST", "/security-groups", { security_group: { name: "r" } })).body,
      "security_group",
      "id",
    );
    const rule = {
      security_group_rule: {
        security_group_id: gid,
        direction: "ingress",
        ethertype: "IPv4",
        protocol: "tcp",
        port_range_min: 9443,
        port_range_max: 9443,
        remote_ip_prefix: "127.0.8.0/24",
      },
    };
    const r = await os.network("POST", "/security-group-rules", rule);
    assert.equal(r.status, 201);
    assert.equal(str(r.body, "security_group_rule", "remote_ip_prefix"), "127.0.8.0/24");
    assert.equal((await os.network("POST", "/security-group-rules", rule)).status, 409);
    const bad = {
      security_group_rule: { ...rule.security_group_rule, port_range_min: 10, port_range_max: 5 },
    };
    assert.equal((await os.network("POST", "/security-group-rules", bad)).status, 400);
    const hostBits = {
      security_group_rule: {
        ...rule.security_group_rule,
        port_range_min: 22,
        port_range_max: 22,
        remote_ip_prefix: "10.1.2.3/8",
      },
    };
    assert.equal(
      str(
        (await os.network("POST", "/security-group-rules", hostBits)).body,
        "security_group_rule",
        "remote_ip_prefix",
      ),
      "10.0.0.0/8",
    );
    const id = str(r.body, "security_group_rule", "id");
    assert.equal((await os.network("DELETE", `/security-group-rules/${id}`)).status, 204);
    assert.equal((await os.network("GET", `/security-group-rules/${id}`)).status, 404);
  });

  it("tags: PUT replaces all and returns 200 with the list", async () => {
    const id = await createPort(os, s, "t");
    const r = await os.network("PUT", `/ports/${id}/tags`, { tags: ["ecs", "node-1"] });
    assert.equal(r.status, 200);
    assert.deepEqual(at(r.body, "tags"), ["ecs", "node-1"]);
    assert.equal(arr((await os.network("GET", "/ports?tags=ecs")).body, "ports").length, 1);
  });

  it("port delete is 204 and then 404 at once (a DOWN after delete would fail the provider's wait)", async () => {
    const id = await createPort(os, s, "gone");
    assert.equal((await os.network("DELETE", `/ports/${id}`)).status, 204);
    assert.equal((await os.network("GET", `/ports/${id}`)).status, 404);
    assert.equal((await os.network("DELETE", `/ports/${id}`)).status, 404);
  });
});
