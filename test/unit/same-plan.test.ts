import * as assert from "assert";
import { planDifferences } from "../../tools/ci/same-plan";

const step = (op: string, name: string) => ({ op, urn: `urn:pulumi:lab::ecs::x::${name}` });

describe("apply-reviewed: the plan must not change between review and apply", () => {
  it("accepts the same operations in another order, ignoring unchanged resources", () => {
    const reviewed = {
      steps: [
        step("delete-replaced", "ds04-vm"),
        step("same", "ds01-vm"),
        step("create-replacement", "ds04-vm"),
      ],
    };
    const now = { steps: [step("create-replacement", "ds04-vm"), step("delete-replaced", "ds04-vm")] };
    assert.deepStrictEqual(planDifferences(reviewed, now), []);
  });

  it("names what appeared and what disappeared", () => {
    const reviewed = { steps: [step("replace", "ds04-vm")] };
    const now = { steps: [step("replace", "ds04-vm"), step("replace", "ds05-vm")] };
    assert.deepStrictEqual(planDifferences(reviewed, now), [
      "now only: replace urn:pulumi:lab::ecs::x::ds05-vm",
    ]);
    assert.deepStrictEqual(planDifferences(now, reviewed), [
      "reviewed only: replace urn:pulumi:lab::ecs::x::ds05-vm",
    ]);
  });
});
