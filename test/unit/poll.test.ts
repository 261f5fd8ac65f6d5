import * as assert from "assert";
import { pollUntil, waitFor } from "../../components/kube/context";

describe("stage polls", () => {
  const quiet = { pollMs: 10, log: () => undefined };

  it("try a failing check again (an API server blip) until it answers", async () => {
    let calls = 0;
    const failures: { last?: string } = {};
    const v = await pollUntil(
      5,
      10,
      () => {
        if (++calls < 3) throw new Error("connection refused");
        return "ready";
      },
      () => undefined,
      failures,
    );
    assert.strictEqual(v, "ready");
    assert.strictEqual(calls, 3);
    assert.strictEqual(failures.last, undefined, "a later success clears the error");
  });

  it("report the last error when the time runs out", async () => {
    await assert.rejects(
      waitFor(quiet, "the Node to turn Ready", 0.3, () => {
        throw new Error("Unable to connect to the server: dial tcp 10.0.0.1:6443: i/o timeout");
      }),
      /timed out after 0.3s waiting for the Node to turn Ready \(the last check failed: Unable to connect .*i\/o timeout\)/,
    );
  });
});
