import * as assert from "assert";
import type { DrillCluster } from "../../tools/drill/cluster";
import { recoveryChange, updateErrors } from "../../tools/drill/drill";
import { derivedMarks, longestApiGapSec, Mark, Sample } from "../../tools/drill/observe";
import { DrillRequest, parseDrillArgs } from "../../tools/drill/plan";
import { evaluate, renderSvg } from "../../tools/drill/report";

const T0 = Date.parse("2026-12-05T10:00:00Z");
const at = (sec: number) => T0 + sec * 1000;

/** A healthy sample at `sec`, changed by `patch`. */
function sample(sec: number, patch: (s: Sample) => void = () => undefined): Sample {
  const s: Sample = {
    t: at(sec),
    api: { ok: true, ms: 20 },
    node: { ready: "True", taints: [], leaseAgeSec: 1 },
    othersNotReady: [],
    etcd: { voters: 3, servers: 3 },
    pods: {
      total: 6,
      terminating: 0,
      unknown: 0,
      terminatingByNamespace: {},
      deletedAt: [],
      tolerationSec: 10,
    },
    cm: { host: "GOOD", ecs: "GOOD" },
    vm: { status: "ACTIVE" },
  };
  patch(s);
  return s;
}

/** A power-off at 3 s: NotReady at 12 s, tainted at 12 s, pods deleted `evictAfter` s after the taint. */
function powerOff(evictAfter: number, until = 40): Sample[] {
  const out: Sample[] = [];
  for (let sec = 0; sec <= until; sec++)
    out.push(
      sample(sec, (s) => {
        if (sec >= 4) s.cm.host = "BAD";
        if (sec >= 4) s.vm.status = "SHUTOFF";
        if (sec >= 12) {
          s.node.ready = "Unknown";
          s.node.readySince = new Date(at(11.5)).toISOString();
          s.node.taints = [
            { key: "node.kubernetes.io/unreachable", timeAdded: new Date(at(12)).toISOString() },
          ];
        }
        if (sec >= 12 + evictAfter) {
          s.pods.terminating = 4;
          s.pods.deletedAt = [...s.pods.deletedAt, at(12 + evictAfter)];
        }
      }),
    );
  return out;
}

const request: DrillRequest = {
  stack: "lab",
  node: "ds04",
  fault: "power-off",
  recover: "case1",
  yes: false,
  dryRun: false,
  outDir: "/tmp/x",
};

function judge(samples: Sample[], extra: Partial<Parameters<typeof evaluate>[0]> = {}) {
  const marks: Mark[] = [
    { t: at(3), kind: "fault" as const, label: "fault" },
    ...derivedMarks(samples, at(3), at(41)),
    { t: at(41), kind: "recovery-start" as const, label: "up" },
    { t: at(90), kind: "recovery-end" as const, label: "done" },
  ].sort((a, b) => a.t - b.t);
  return evaluate({
    request,
    grace: 8,
    samples,
    marks,
    faultAt: at(3),
    recoveryAt: at(41),
    greenAt: at(95),
    evacuated: { evacuation: "delete-node", outcome: "succeeded" },
    ...extra,
  });
}

const result = (e: ReturnType<typeof evaluate>, what: RegExp) => e.find((x) => what.test(x.what))?.result;

describe("drill: command line", () => {
  const parse = (args: string) => parseDrillArgs(args.split(" ").filter(Boolean), "/out");

  it("parses a drill and defaults the report directory", () => {
    assert.deepStrictEqual(parse("--stack lab --node ds04 --fault power-off --recover case1 --yes"), {
      stack: "lab",
      node: "ds04",
      fault: "power-off",
      recover: "case1",
      yes: true,
      dryRun: false,
      outDir: "/out",
    });
  });

  it("names the missing or wrong flag and the choices", () => {
    assert.throws(() => parse("--node ds04 --fault power-off --recover case1"), /--stack is required/);
    assert.throws(
      () => parse("--stack lab --node ds04 --fault reboot --recover case1"),
      /--fault reboot: unknown; use one of power-off, kubelet-stop, network-partition, none/,
    );
    assert.throws(() => parse("--stack lab --node ds04 --fault none --recover case1 --nod x"), /--nod/);
  });

  it("refuses combinations that fail in a known way, saying why", () => {
    assert.throws(
      () => parse("--stack lab --node ds04 --fault power-off --recover case3"),
      /case 3 is planned maintenance/,
    );
    assert.throws(
      () => parse("--stack lab --node ds04 --fault power-off --recover rejoin"),
      /the VM must run/,
    );
    assert.throws(
      () => parse("--stack lab --node ds04 --fault kubelet-stop --recover rebuild"),
      /Nova confirms its VM off/,
    );
    assert.throws(
      () => parse("--stack lab --node ds04 --fault network-partition --recover case1"),
      /not supported/,
    );
    assert.strictEqual(parse("--stack lab --node ds06 --fault none --recover case3").recover, "case3");
  });
});

describe("drill: expectations", () => {
  it("passes a cluster that behaves as configured (NotReady after the grace, evictions after the toleration)", () => {
    const e = judge(powerOff(10));
    assert.deepStrictEqual(
      e.filter((x) => x.result !== "pass").map((x) => `${x.what}: ${x.observed}`),
      [],
    );
    assert.match(e.find((x) => /evicted/.test(x.what))!.observed, /^10\.0 s after the taint/);
    // The controller's transition time, not the sample's, dates NotReady.
    assert.match(e.find((x) => /NotReady/.test(x.what))!.observed, /^after 8\.5 s/);
  });

  it("fails evictions far from the toleration, another node out, another evacuation, a long API gap, a lost quorum", () => {
    assert.strictEqual(result(judge(powerOff(30)), /evicted/), "fail");
    const others = powerOff(10);
    others[20].othersNotReady = ["ds05.ecs.openstack.com"];
    assert.strictEqual(result(judge(others), /only the drilled node/), "fail");
    const gap = powerOff(10);
    for (let i = 20; i <= 32; i++) gap[i].api = { ok: false, ms: 8000, error: "timeout" };
    assert.strictEqual(longestApiGapSec(gap), 13);
    assert.strictEqual(result(judge(gap), /API answers/), "fail");
    assert.strictEqual(
      result(judge(powerOff(10), { evacuated: { evacuation: "drain", outcome: "succeeded" } }), /evacuates/),
      "fail",
    );
    const quorum = powerOff(10);
    quorum[25].etcd.voters = 1;
    assert.strictEqual(result(judge(quorum), /quorum/), "fail");
  });

  it("sees the evictions after the fault past a pod that was Terminating before it", () => {
    const samples = powerOff(10).map((s) => ({
      ...s,
      pods: { ...s.pods, terminating: s.pods.terminating + 1, deletedAt: [at(-100), ...s.pods.deletedAt] },
    }));
    const e = judge(samples);
    assert.strictEqual(result(e, /evicted/), "pass", JSON.stringify(e));
  });

  it("fails what a drill that ran out of time did not see (a node that never turned NotReady)", () => {
    const never = powerOff(10, 40).map((s) => ({ ...s, node: { ...s.node, ready: "True", taints: [] } }));
    const e = judge(never, { timedOut: "the time is up" });
    assert.strictEqual(result(e, /NotReady/), "fail");
    assert.strictEqual(result(e, /evicted/), "fail");
  });

  it("reports what an aborted drill did not reach instead of failing it; a failed recovery fails", () => {
    const early = powerOff(10, 14);
    const e = judge(early, { aborted: "aborted by the operator (Ctrl-C)" });
    assert.strictEqual(result(e, /evicted/), "not reached");
    assert.strictEqual(result(judge(early), /evicted/), "fail");
    const failed = judge(powerOff(10), { recoveryError: "error: refusing evacuation", greenAt: undefined });
    assert.strictEqual(result(failed, /recovers the node/), "fail");
    assert.strictEqual(result(failed, /green again/), "fail");
  });

  it("keeps only the error lines of a failed update", () => {
    const msg =
      "Updating (lab)\n  + resources\n    error: refusing evacuation delete-node of ds03: the node is live\n  outputs: {}\nerror: update failed\n";
    assert.strictEqual(
      updateErrors(msg),
      "error: refusing evacuation delete-node of ds03: the node is live error: update failed",
    );
  });
});

describe("drill: stack change and picture", () => {
  it("bumps the node's generation and sets its evacuation, leaving every other entry as written", () => {
    const rawNodes = [
      { name: "ds03", ip: "10.0.0.3", role: "server", rejoin: 2 },
      { name: "ds04", ip: "10.0.0.4", role: "agent", rebuild: 1, evacuation: "drain" },
    ];
    const cluster = {
      rawNodes,
      nodeIndex: 1,
      node: { name: "ds04", evacuation: "drain", rebuild: 1, rejoin: 0 },
    } as unknown as DrillCluster;
    const change = recoveryChange(cluster, request);
    assert.strictEqual(
      change.text,
      "ecs:nodes[1].evacuation: drain -> delete-node, ecs:nodes[1].rebuild: 1 -> 2",
    );
    assert.deepStrictEqual(change.nodes, [
      rawNodes[0],
      { name: "ds04", ip: "10.0.0.4", role: "agent", rebuild: 2, evacuation: "delete-node" },
    ]);
    assert.strictEqual(rawNodes[1].rebuild, 1, "the config as read is not changed in place");
  });

  it("draws numbered event lines left to right in time order, one bar per unchanged stretch", () => {
    const samples = powerOff(10);
    const marks = [
      { t: at(3), kind: "fault" as const, label: "fault: power-off" },
      ...derivedMarks(samples, at(3), undefined),
    ].sort((a, b) => a.t - b.t);
    const svg = renderSvg("t", samples, marks, 8);
    const drawn = [
      ...svg.matchAll(/data-kind="([a-z-]+)" data-t="\d+" data-n="(\d+)"><line x1="([\d.]+)"/g),
    ].map((m) => ({
      kind: m[1],
      n: Number(m[2]),
      x: Number(m[3]),
    }));
    assert.deepStrictEqual(
      drawn.map((d) => d.kind),
      ["fault", "cm-alarm", "not-ready", "tainted", "evicted"],
    );
    assert.ok(
      drawn.every((d, i) => d.n === i + 1 && (i === 0 || d.x >= drawn[i - 1].x)),
      JSON.stringify(drawn),
    );
    // The API row never changed: one bar; the Node Ready row changed once: two.
    const rowBars = (label: string) => {
      const y = Number(new RegExp(`<text x="10" y="(\\d+)">${label}</text>`).exec(svg)![1]) - 13;
      return [...svg.matchAll(new RegExp(`<rect class="bar" x="[\\d.]+" y="${y}"`, "g"))].length;
    };
    assert.strictEqual(rowBars("Kubernetes API"), 1);
    assert.strictEqual(rowBars("Node Ready"), 2);
  });
});
