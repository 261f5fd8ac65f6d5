import * as assert from "assert";
import { packRunRecord, redact, RunRecord, unpackRunRecord } from "../../components/kube/runRecord";

describe("run record redaction (the record is a plain stack output)", () => {
  it("replaces what could carry a credential in tool output", () => {
    const text = [
      "Error from server: Get https://admin:hunter2@cm.example.com:7183/api: EOF",
      'kubectl: error: password="s3cret" in kubeconfig',
      "Authorization: Basic YWRtaW46aHVudGVyMg==",
      "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU\n-----END OPENSSH PRIVATE KEY-----",
    ].join("\n");
    const out = redact(text);
    for (const secret of ["hunter2", "s3cret", "YWRtaW46aHVudGVyMg", "b3BlbnNzaC1rZXktdjEAAAAABG5vbmU"])
      assert.ok(!out.includes(secret), `${secret} left in:\n${out}`);
    assert.match(out, /https:\/\/\[redacted\]@cm\.example\.com:7183/);
  });

  it("redacts notes and errors as they are recorded, keeps plain evidence", () => {
    const r = new RunRecord(undefined, "ds04", "membership-delete");
    r.note("drainBlockers", ["pod a/b (PDB a/p allows 0 disruption(s))", "token=abc123"]);
    r.finish("failed", "CM said: password: topsecret");
    assert.deepStrictEqual(r.entry.evidence.drainBlockers, [
      "pod a/b (PDB a/p allows 0 disruption(s))",
      "token=[redacted]",
    ]);
    assert.strictEqual(r.entry.error, "CM said: password: [redacted]");
  });

  it("packs the gate's record small enough for the environment variable the next gate run gets", () => {
    const entry = new RunRecord(undefined, "ds04.ecs.example.com", "membership-delete").entry;
    const records = Array.from({ length: 400 }, (_, i) => ({
      ...entry,
      evidence: { i, pods: Array(40).fill("cdp/pod-x") },
    }));
    const plain = JSON.stringify(records);
    assert.ok(plain.length > 128 * 1024, "the plain record would not fit");
    const packed = packRunRecord(records);
    assert.ok(packed.length < 128 * 1024, `${packed.length} bytes packed`);
    assert.deepStrictEqual(unpackRunRecord(packed), records);
    assert.deepStrictEqual(unpackRunRecord(plain), records, "an older gate's plain JSON still reads");
    assert.deepStrictEqual(unpackRunRecord(""), []);
  });
});
