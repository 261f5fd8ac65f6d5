import * as assert from "assert";
import { chooseEvacuation, NodeEvidence } from "../../components/kube/evacuate";
import { evacuationMode } from "../../components/kube/stageEnv";

const evidence = (over: Partial<NodeEvidence>): NodeEvidence => ({
  nodeExists: true,
  ready: "True",
  leaseAgeSec: 3,
  leaseDurationSec: 40,
  live: true,
  vm: { source: "nova", status: "ACTIVE" },
  ...over,
});
const silent = { ready: "Unknown", leaseAgeSec: 90, live: false };

describe("auto evacuation: choosing the runbook's case from evidence", () => {
  it("drains a node that reports (case 3), Ready or with a fresh lease", () => {
    assert.strictEqual(chooseEvacuation(evidence({})).mode, "drain");
    assert.strictEqual(chooseEvacuation(evidence({ ready: "False", leaseAgeSec: 2 })).mode, "drain");
  });

  it("uses the out-of-service taint when the node is silent and Nova reports the VM off or verifiably gone", () => {
    const c = chooseEvacuation(evidence({ ...silent, vm: { source: "nova", status: "SHUTOFF" } }));
    assert.strictEqual(c.mode, "out-of-service");
    assert.match(c.why, /SHUTOFF/);
    assert.strictEqual(
      chooseEvacuation(
        evidence({ ...silent, vm: { source: "nova", status: "GONE", visibleSiblings: ["ds05"] } }),
      ).mode,
      "out-of-service",
    );
  });

  it("refuses a silent node when Nova cannot answer: the operator chooses delete-node on purpose", () => {
    assert.throws(
      () =>
        chooseEvacuation(
          evidence({ ...silent, vm: { source: "unavailable", reason: "Keystone answered 503" } }),
        ),
      /auto cannot choose.*Nova could not tell \(Keystone answered 503\).*Nothing was changed.*evacuation: delete-node/,
    );
  });

  it("counts only SHUTOFF as off: ERROR, PAUSED and SUSPENDED VMs may still hold their pods", () => {
    for (const status of ["ERROR", "PAUSED", "SUSPENDED", "ACTIVE"])
      assert.throws(
        () => chooseEvacuation(evidence({ ...silent, vm: { source: "nova", status } })),
        /may be partitioned/,
        status,
      );
  });

  it("treats a Node that is already gone as nothing to evacuate", () => {
    assert.strictEqual(
      chooseEvacuation(evidence({ nodeExists: false, ready: "absent", live: false })).mode,
      "delete-node",
    );
  });
});

describe("evacuation mode from config or the Node's intent annotation", () => {
  it("accepts the known modes and refuses anything else instead of falling through to a Node delete", () => {
    assert.strictEqual(evacuationMode("force-delete-pods", "x"), "force-delete-pods");
    assert.throws(
      () => evacuationMode("delete", "the Node's ecs.cloudera.com/evacuation annotation"),
      /the Node's ecs\.cloudera\.com\/evacuation annotation says evacuation "delete", which is not a mode .*Nothing was changed/,
    );
  });
});
