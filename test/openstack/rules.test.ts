// The simulator's own rules as pure functions: IP allocation, scheduling, security-group rule checks.
import { strict as assert } from "node:assert";
import { ApiError } from "../../lab/openstack/http";
import { allocate, defaultPool, inCidr } from "../../lab/openstack/ipam";
import { validateRule } from "../../lab/openstack/neutron-rules";
import { chooseHost } from "../../lab/openstack/nova-scheduler";
import { buildInitialState } from "../../lab/openstack/seed";
import type { ServerGroupRecord, ServerRecord, SimState } from "../../lab/openstack/types";

function place(
  state: SimState,
  name: string,
  flavorName: string,
  host: string,
  group?: ServerGroupRecord,
): void {
  const flavor = state.flavors.find((f) => f.name === flavorName);
  if (!flavor) throw new Error(flavorName);
  const s: ServerRecord = {
    id: `${name}-id`,
    name,
    projectId: state.project.id,
    status: "ACTIVE",
    flavorId: flavor.id,
    imageId: "",
    keyName: null,
    metadata: {},
    tags: [],
    availabilityZone: "nova",
    host,
    serverGroupId: group?.id ?? null,
    portIds: [],
    userDataBytes: 0,
    createdAt: "",
    updatedAt: "",
    launchedAt: null,
    powerState: 1,
    oldFlavorId: null,
  };
  state.servers.push(s);
  group?.members.push(s.id);
}

describe("openstack simulator rules", () => {
  describe("ipam", () => {
    it("default pool excludes network, gateway and broadcast", () => {
      assert.deepEqual(defaultPool("127.0.8.0/24", "127.0.8.1"), { start: "127.0.8.2", end: "127.0.8.254" });
    });
    it("allocates the lowest free address", () => {
      const used = new Set(["127.0.8.2", "127.0.8.3"]);
      assert.equal(allocate([{ start: "127.0.8.2", end: "127.0.8.4" }], used, "127.0.8.1"), "127.0.8.4");
      used.add("127.0.8.4");
      assert.equal(allocate([{ start: "127.0.8.2", end: "127.0.8.4" }], used, "127.0.8.1"), undefined);
    });
    it("checks CIDR membership", () => {
      assert.equal(inCidr("127.0.8.146", "127.0.8.0/24"), true);
      assert.equal(inCidr("127.0.9.1", "127.0.8.0/24"), false);
    });
  });

  describe("scheduler", () => {
    const group = (policy: string, max: number | null = null): ServerGroupRecord => ({
      id: "g",
      name: "g",
      policy,
      maxServerPerHost: max,
      members: [],
    });
    const flavor = (state: SimState, name: string): SimState["flavors"][number] => {
      const f = state.flavors.find((x) => x.name === name);
      if (!f) throw new Error(name);
      return f;
    };

    it("anti-affinity avoids hosts with a member and fails when none is left", () => {
      const state = buildInitialState({});
      const g = group("anti-affinity");
      const picked: string[] = [];
      for (let i = 0; i < 3; i++) {
        const host = chooseHost(state, flavor(state, "ecs.server"), g);
        assert.ok(host);
        picked.push(host);
        place(state, `s${i}`, "ecs.server", host, g);
      }
      assert.equal(new Set(picked).size, 3);
      assert.equal(chooseHost(state, flavor(state, "ecs.server"), g), undefined);
      assert.ok(chooseHost(state, flavor(state, "ecs.server"), undefined), "without the group there is room");
    });

    it("max_server_per_host (2.64 rules) allows that many per host", () => {
      const state = buildInitialState({ hypervisors: 1 });
      const g = group("anti-affinity", 2);
      place(state, "a", "m1.small", "compute-1.lab", g);
      assert.equal(chooseHost(state, flavor(state, "m1.small"), g), "compute-1.lab");
      place(state, "b", "m1.small", "compute-1.lab", g);
      assert.equal(chooseHost(state, flavor(state, "m1.small"), g), undefined);
    });

    it("affinity keeps members together; capacity (RAM, vCPU) is enforced", () => {
      const state = buildInitialState({ hypervisors: 2, hypervisorVcpus: 20, hypervisorRamMb: 70000 });
      const g = group("affinity");
      place(state, "a", "ecs.agent", "compute-2.lab", g);
      assert.equal(chooseHost(state, flavor(state, "m1.small"), g), "compute-2.lab");
      // compute-2 has 4 vCPU left: a second agent (16 vCPU) only fits on compute-1, and not with the group.
      assert.equal(chooseHost(state, flavor(state, "ecs.agent"), g), undefined);
      assert.equal(chooseHost(state, flavor(state, "ecs.agent"), undefined), "compute-1.lab");
    });

    it("soft-anti-affinity never fails for the group's sake", () => {
      const state = buildInitialState({ hypervisors: 1 });
      const g = group("soft-anti-affinity");
      place(state, "a", "m1.small", "compute-1.lab", g);
      assert.equal(chooseHost(state, flavor(state, "m1.small"), g), "compute-1.lab");
    });
  });

  describe("security group rules", () => {
    const base = {
      securityGroupId: "g",
      direction: "ingress" as const,
      ethertype: "IPv4" as const,
      protocol: "tcp",
      portRangeMin: 22,
      portRangeMax: 22,
      remoteIpPrefix: "0.0.0.0/0",
      remoteGroupId: null,
      description: "",
    };
    it("accepts a valid rule and rejects its duplicate with 409", () => {
      const rule = validateRule(base, []);
      assert.throws(
        () => validateRule(base, [rule]),
        (e: unknown) => e instanceof ApiError && e.status === 409,
      );
    });
    it("rejects ports without protocol, inverted ranges, prefix+group, ethertype conflicts with 400", () => {
      const bad = [
        { ...base, protocol: null },
        { ...base, portRangeMin: 30, portRangeMax: 20 },
        { ...base, remoteGroupId: "other" },
        { ...base, ethertype: "IPv6" as const },
      ];
      for (const r of bad) {
        assert.throws(
          () => validateRule(r, []),
          (e: unknown) => e instanceof ApiError && e.status === 400,
          JSON.stringify(r),
        );
      }
    });
  });
});
