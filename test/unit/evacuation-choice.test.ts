import * as assert from "assert";
import { chooseEvacuation, NodeEvidence } from "../../components/kube/evacuate";

const evidence = (over: Partial<NodeEvidence>): NodeEvidence => ({
  nodeExists: true,
  ready: "True",
  leaseAgeSec: 3,
  vm: { source: "nova", status: "ACTIVE" },
  ...over,
});

describe("auto evacuation: choosing the runbook's case from evidence", () => {
  it("drains a node that reports (case 3)", () => {
    assert.strictEqual(chooseEvacuation(evidence({})).mode, "drain");
    assert.strictEqual(chooseEvacuation(evidence({ ready: "False", leaseAgeSec: 2 })).mode, "drain");
  });

  it("uses the out-of-service taint when the node is silent and Nova reports the VM off", () => {
    const c = chooseEvacuation(
      evidence({ ready: "Unknown", leaseAgeSec: 20, vm: { source: "nova", status: "SHUTOFF" } }),
    );
    assert.strictEqual(c.mode, "out-of-service");
    assert.match(c.why, /SHUTOFF/);
    assert.strictEqual(
      chooseEvacuation(evidence({ ready: "Unknown", vm: { source: "nova", status: "GONE" } })).mode,
      "out-of-service",
    );
  });

  it("deletes a silent node when Nova cannot be asked (case 1)", () => {
    const c = chooseEvacuation(
      evidence({
        ready: "False",
        leaseAgeSec: 400,
        vm: { source: "unavailable", reason: "no OS_* credentials" },
      }),
    );
    assert.strictEqual(c.mode, "delete-node");
    assert.match(c.why, /Nova not consulted \(no OS_\* credentials\)/);
  });

  it("refuses to guess when the node is silent but its VM runs (possible partition)", () => {
    assert.throws(
      () =>
        chooseEvacuation(
          evidence({ ready: "Unknown", leaseAgeSec: 90, vm: { source: "nova", status: "ACTIVE" } }),
        ),
      /may be partitioned.*Fix: confirm the VM is down/,
    );
  });

  it("treats a Node that is already gone as case 1", () => {
    assert.strictEqual(
      chooseEvacuation(evidence({ nodeExists: false, ready: "absent" })).mode,
      "delete-node",
    );
  });
});
