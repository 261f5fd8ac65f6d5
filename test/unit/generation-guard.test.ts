import * as assert from "assert";
import { generationGuardProvider, type GenerationInputs } from "../../components/cluster/generationGuard";

describe("generation guard: generations only increase, a node's IP never changes in place", () => {
  const olds: GenerationInputs = {
    generations: { ds01: { rebuild: 1, rejoin: 0 }, ds04: { rebuild: 0, rejoin: 0 } },
    addresses: { ds01: "192.168.8.141", ds04: "192.168.8.144" },
  };
  const reasons = async (news: GenerationInputs) =>
    (await generationGuardProvider.check(olds, news)).failures.map((f) => `${f.property}: ${f.reason}`);

  it("refuses a new IP for a configured node, naming the node, both addresses and the fix", async () => {
    const out = await reasons({ ...olds, addresses: { ...olds.addresses, ds04: "192.168.8.150" } });
    assert.strictEqual(out.length, 1);
    assert.match(
      out[0],
      /^addresses: ecs:nodes \(ds04\)\.ip changed from 192\.168\.8\.144 to 192\.168\.8\.150;/,
    );
    assert.match(
      out[0],
      /Nothing was changed\. Fix: set it back to 192\.168\.8\.144; to move the node, add one/,
    );
  });

  it("accepts new and removed nodes, raised generations, and state written before addresses were kept", async () => {
    assert.deepStrictEqual(
      await reasons({
        generations: { ds01: { rebuild: 2, rejoin: 0 }, ds07: { rebuild: 0, rejoin: 0 } },
        addresses: { ds01: "192.168.8.141", ds07: "192.168.8.147" },
      }),
      [],
    );
    const before = { generations: olds.generations };
    const check = await generationGuardProvider.check(before, {
      ...olds,
      addresses: { ds01: "10.0.0.1", ds04: "10.0.0.4" },
    });
    assert.deepStrictEqual(check.failures, []);
  });

  it("refuses a lowered generation next to an address change, both named", async () => {
    const out = await reasons({
      generations: { ...olds.generations, ds01: { rebuild: 0, rejoin: 0 } },
      addresses: { ...olds.addresses, ds01: "192.168.8.151" },
    });
    assert.deepStrictEqual(
      out.map((r) => r.split(":")[0]),
      ["generations", "addresses"],
    );
    assert.match(out[0], /\(ds01\)\.rebuild was lowered from 1 to 0/);
    assert.match(out[1], /\(ds01\)\.ip changed/);
  });

  it("stores the addresses (an update) once state from before has none", async () => {
    const stored = { ...olds, addresses: undefined, stage: "generations" as const };
    assert.strictEqual((await generationGuardProvider.diff("generations", stored, olds)).changes, true);
    assert.strictEqual(
      (await generationGuardProvider.diff("generations", { ...olds, stage: "generations" as const }, olds))
        .changes,
      false,
    );
  });
});
