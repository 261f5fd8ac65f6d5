// Proves that the tfgen schema build.sh generated matches the npm SDK @pulumi/openstack@3.15.2 the
// program is written against, and that the comparison would notice if it did not.
import * as assert from "assert";
import * as fs from "fs";
import { compareSurfaces } from "../scripts/compare-surfaces";
import { isKeyMember, keyMemberCount } from "../scripts/key-members";
import { PackageSchema, readSchemaSurface } from "../scripts/schema-surface";
import { readSdkSurface } from "../scripts/sdk-surface";
import { requireArtifact, schemaFile } from "./artifacts";

const INSTANCE = "openstack:compute/instance:Instance";
const SERVER_GROUP = "openstack:compute/serverGroup:ServerGroup";
const PORT = "openstack:networking/port:Port";

function loadSchema(): PackageSchema {
  return JSON.parse(fs.readFileSync(schemaFile, "utf8")) as PackageSchema;
}

describe("openstack toolchain: generated schema vs npm SDK 3.15.2", function () {
  const sdk = readSdkSurface();

  it("reads the SDK members the project relies on", () => {
    const key = [...sdk.members.keys()].filter((k) => isKeyMember(k) && !k.startsWith("type "));
    assert.strictEqual(key.length, keyMemberCount + 2); // + provider + config
    const instance = sdk.members.get(`resource ${INSTANCE}`)!;
    assert.strictEqual(instance.outputs.get("adminPass")?.secret, true);
    assert.strictEqual(instance.inputs.get("networks")?.array, true);
  });

  it("has the version 3.15.2 and every key token, property, list shape and secret of the SDK", function () {
    requireArtifact(this, schemaFile);
    const schema = loadSchema();
    assert.strictEqual(schema.version, "3.15.2");
    const mismatches = compareSurfaces(sdk, readSchemaSurface(schema), isKeyMember);
    assert.deepStrictEqual(mismatches, []);
  });

  it("maps every resource and function token the SDK declares", function () {
    requireArtifact(this, schemaFile);
    const missing = compareSurfaces(sdk, readSchemaSurface(loadSchema()))
      .filter((m) => m.detail === "missing from the schema" && !m.member.startsWith("type "))
      .map((m) => m.member);
    assert.deepStrictEqual(missing, []);
  });

  it("notices a renamed property, a list turned single, a lost secret and a missing resource", function () {
    requireArtifact(this, schemaFile);
    const schema = loadSchema();
    const resources = schema.resources!;
    const instance = resources[INSTANCE];
    instance.inputProperties!.flavourName = instance.inputProperties!.flavorName;
    delete instance.inputProperties!.flavorName;
    instance.properties!.adminPass = { type: "string" };
    resources[SERVER_GROUP].inputProperties!.policies = { type: "string" };
    delete resources[PORT];

    const details = compareSurfaces(sdk, readSchemaSurface(schema), isKeyMember).map(
      (m) => `${m.member}: ${m.detail}`,
    );
    assert.deepStrictEqual(
      details.sort(),
      [
        `resource ${INSTANCE}: input "flavorName" missing from the schema`,
        `resource ${INSTANCE}: input "flavourName" not in the SDK`,
        `resource ${INSTANCE}: output "adminPass": secret in the SDK, plain in the schema`,
        `resource ${SERVER_GROUP}: input "policies": SDK list, schema single`,
        `resource ${PORT}: missing from the schema`,
      ].sort(),
    );
  });
});
