import * as assert from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import type { HealthReport } from "../../components/cloudera/operations";
import { ExpectedNode, gateProblems, GateSnapshot } from "../../components/health/checks";
import { NodeObject, PodObject } from "../../components/kube/types";

const NOW = Date.parse("2026-11-26T10:00:00Z");
const expected: ExpectedNode[] = [
  { hostname: "ds01.ecs.example.com", role: "server" },
  { hostname: "ds04.ecs.example.com", role: "agent" },
];

function node(
  name: string,
  ready = true,
  extra: Partial<NodeObject["spec"]> = {},
  voter?: string,
): NodeObject {
  const conditions = [{ type: "Ready", status: ready ? "True" : "Unknown" }];
  if (voter) conditions.push({ type: "EtcdIsVoter", status: voter });
  return { metadata: { name }, spec: { ...extra }, status: { conditions } };
}

function pod(name: string, over: Partial<PodObject["metadata"]> = {}, phase = "Running"): PodObject {
  return {
    metadata: { name, namespace: "cdp", ...over },
    spec: { nodeName: "ds04.ecs.example.com" },
    status: { phase },
  };
}

function healthyCm(): HealthReport {
  return {
    services: [
      { name: "ECS", type: "ECS", health: "GOOD", staleness: "FRESH" },
      { name: "DOCKER", type: "DOCKER", health: "GOOD", staleness: "FRESH" },
    ],
    hosts: expected.map((e) => ({ hostname: e.hostname, health: "GOOD", roles: [] })),
    healthy: true,
  };
}

function snapshot(over: Partial<GateSnapshot> = {}): GateSnapshot {
  return {
    nodes: [node("ds01.ecs.example.com", true, {}, "True"), node("ds04.ecs.example.com")],
    pods: [pod("web-1")],
    cm: healthyCm(),
    machines: expected.map((e) => ({ hostname: e.hostname, status: "ACTIVE", dataVolumeAttached: true })),
    now: NOW,
    ...over,
  };
}

describe("health gate checks", () => {
  it("passes a healthy cluster", () => {
    assert.deepStrictEqual(gateProblems(snapshot(), expected, 300), []);
  });

  it("names a missing, NotReady, cordoned or learner node", () => {
    assert.deepStrictEqual(
      gateProblems(snapshot({ nodes: [node("ds01.ecs.example.com", false)] }), expected, 300),
      ["Node ds01.ecs.example.com is not Ready", "Node ds04.ecs.example.com is not in the cluster"],
    );
    const cordoned = [
      node("ds01.ecs.example.com", true, {}, "False"),
      node("ds04.ecs.example.com", true, { unschedulable: true }),
    ];
    assert.deepStrictEqual(gateProblems(snapshot({ nodes: cordoned }), expected, 300), [
      "Node ds01.ecs.example.com: its etcd member is still a learner (EtcdIsVoter=False)",
      "Node ds04.ecs.example.com is cordoned",
    ]);
  });

  it("names pods stuck Terminating past the limit and failed pods, but not failed Job pods", () => {
    const pods = [
      pod("old", { deletionTimestamp: new Date(NOW - 400_000).toISOString() }),
      pod("recent", { deletionTimestamp: new Date(NOW - 100_000).toISOString() }),
      pod("crashed", {}, "Failed"),
      pod("job-run", { ownerReferences: [{ kind: "Job", name: "backup" }] }, "Failed"),
    ];
    assert.deepStrictEqual(gateProblems(snapshot({ pods }), expected, 300), [
      "pod cdp/old on ds04.ecs.example.com stuck Terminating for 400s",
      "pod cdp/crashed on ds04.ecs.example.com Failed",
    ]);
  });

  it("names CM health that is not GOOD, stale configuration and a host CM no longer has", () => {
    const cm = healthyCm();
    cm.services[0].health = "BAD";
    cm.services[0].staleness = "STALE";
    cm.hosts = [{ hostname: "ds01.ecs.example.com", health: "CONCERNING", roles: [] }];
    assert.deepStrictEqual(gateProblems(snapshot({ cm }), expected, 300), [
      "CM service ECS health is BAD",
      "CM service ECS configuration is STALE (needs a refresh)",
      "CM host ds01.ecs.example.com health is CONCERNING",
      "CM host ds04.ecs.example.com is not in the cluster",
    ]);
  });

  it("names a VM that is not running, a data volume not attached, or Nova that cannot be asked", () => {
    const machines = [
      { hostname: "ds01.ecs.example.com", status: "SHUTOFF", dataVolumeAttached: true },
      { hostname: "ds04.ecs.example.com", status: "ACTIVE", dataVolumeAttached: false },
    ];
    assert.deepStrictEqual(gateProblems(snapshot({ machines }), expected, 300), [
      "VM of ds01.ecs.example.com is SHUTOFF in Nova, not ACTIVE",
      "the data volume of ds04.ecs.example.com is not attached to its VM",
    ]);
    assert.deepStrictEqual(gateProblems(snapshot({ machines: "Keystone answered 401" }), expected, 300), [
      "Nova could not be asked about the VMs: Keystone answered 401",
    ]);
  });
});

describe("health gate between nodes of a roll (scope)", () => {
  const ds01 = expected[0];
  const ds05 = "ds05.ecs.example.com";
  const ds06 = { hostname: "ds06.ecs.example.com", role: "agent" as const };
  const staleBad = (): HealthReport => ({
    ...healthyCm(),
    services: [{ name: "ECS", type: "ECS", health: "BAD", staleness: "STALE_REFRESHABLE" }],
  });
  const stuck = pod("db-0", { deletionTimestamp: new Date(NOW - 900_000).toISOString() });
  stuck.spec.nodeName = ds05;

  it("holds this node and those before it to the full check, the others to Ready, and CM to GOOD but not FRESH", () => {
    const scope = { others: [ds06], alongside: [ds05], fresh: false };
    const base = [node(ds01.hostname, true, {}, "True"), node("ds04.ecs.example.com"), node(ds05)];
    // Day 0: a node later in the roll that is not in the cluster yet is no problem.
    assert.deepStrictEqual(gateProblems(snapshot({ nodes: base }), expected, 300, scope), []);
    assert.deepStrictEqual(
      gateProblems(snapshot({ nodes: [...base, node(ds06.hostname, false)] }), expected, 300, scope),
      ["Node ds06.ecs.example.com is not Ready (it is not part of this step)"],
    );
    assert.deepStrictEqual(
      gateProblems(snapshot({ nodes: base, cm: staleBad() }), expected, 300, scope),
      ["CM service ECS health is BAD"],
      "STALE is fine between nodes (the refresh comes after the last node); BAD is not",
    );
  });

  it("lets CM be BAD and ignores the pods of an agent of another lane only while that agent is out", () => {
    const scope = { others: [], alongside: [ds05], fresh: false };
    const nodes = [node(ds01.hostname, true, {}, "True"), node("ds04.ecs.example.com")];
    const drained = [...nodes, node(ds05, true, { unschedulable: true })];
    assert.deepStrictEqual(
      gateProblems(snapshot({ nodes: drained, cm: staleBad(), pods: [stuck] }), expected, 300, scope),
      [],
    );
    assert.deepStrictEqual(
      gateProblems(
        snapshot({ nodes: [...nodes, node(ds05)], cm: staleBad(), pods: [stuck] }),
        expected,
        300,
        scope,
      ),
      [`pod cdp/db-0 on ${ds05} stuck Terminating for 900s`, "CM service ECS health is BAD"],
    );
  });
});

describe("health gate between nodes: a node whose chain did not run", () => {
  const run = (previousStdout: string) =>
    spawnSync(
      process.execPath,
      ["-r", "ts-node/register/transpile-only", "components/health/healthGate.ts"],
      {
        cwd: path.join(__dirname, "..", ".."),
        input: "{}",
        encoding: "utf8",
        env: {
          PATH: process.env.PATH,
          ECS_CLUSTER: JSON.stringify({ name: "ecs", nodes: [], serverLockTimeoutSec: 60 }),
          ECS_GATE_NODE: "ds04.ecs.example.com",
          ECS_GATE_EXPECT: "[]",
          ECS_GATE_AFTER: "membership-2",
          // What the command provider hands an update: the stdout of the last create or update.
          PULUMI_COMMAND_STDOUT: previousStdout,
        },
      },
    );

  it("checks nothing when it passed for the same membership, and checks when the chain ran since", () => {
    const same = run("passed-for=membership-2");
    assert.strictEqual(same.status, 0, same.stderr);
    assert.strictEqual(same.stdout, "passed-for=membership-2\n");
    assert.match(same.stderr, /has not run since this gate passed for it.*nothing to check/);
    // A new membership (the node was rebuilt or rejoined): the gate goes on to check, and here,
    // without machines or credentials, fails instead of passing.
    const ran = run("passed-for=membership-1");
    assert.notStrictEqual(ran.status, 0);
    assert.match(ran.stderr, /ECS_GATE_MACHINES is not set/);
  });
});
