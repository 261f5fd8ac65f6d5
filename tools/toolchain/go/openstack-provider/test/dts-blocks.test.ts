import * as assert from "assert";
import { blockBody, blockMembers, isArrayType } from "../scripts/dts-blocks";

const sample = `export declare class ServerGroup extends pulumi.CustomResource {
    static get(name: string, id: pulumi.Input<pulumi.ID>): ServerGroup;
    /**
     * The members.
     */
    readonly members: pulumi.Output<string[]>;
    readonly rules: pulumi.Output<outputs.compute.ServerGroupRules>;
    readonly valueSpecs: pulumi.Output<{
        [key: string]: any;
    } | undefined>;
    constructor(name: string, args?: ServerGroupArgs, opts?: pulumi.CustomResourceOptions);
}
export interface ServerGroupArgs {
    name?: pulumi.Input<string>;
    policies?: pulumi.Input<pulumi.Input<string>[]>;
}`.split("\n");

describe("openstack toolchain: .d.ts reader", () => {
  it("lists class outputs, folding multi-line types and skipping statics and the constructor", () => {
    const members = blockMembers(blockBody(sample, /^export declare class ServerGroup /)!);
    assert.deepStrictEqual(
      members.map((m) => m.name),
      ["members", "rules", "valueSpecs"],
    );
    assert.strictEqual(members[2].type, "pulumi.Output<{ [key: string]: any; } | undefined>;");
  });

  it("reads optional args and tells lists from single values", () => {
    const members = blockMembers(blockBody(sample, /^export interface ServerGroupArgs /)!);
    assert.deepStrictEqual(
      members.map((m) => [m.name, m.optional, isArrayType(m.type)]),
      [
        ["name", true, false],
        ["policies", true, true],
      ],
    );
    assert.strictEqual(isArrayType("pulumi.Output<string[] | undefined>;"), true);
    assert.strictEqual(isArrayType("pulumi.Output<outputs.compute.ServerGroupRules>;"), false);
  });
});
