import * as assert from "assert";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { plainConfig } from "../../tools/stack-new";
import { REPO_ROOT } from "../support/stackConfig";

describe("stack:new", () => {
  it("copies the example's plain settings and none of its secrets or its encryption", () => {
    const dev = yaml.load(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.dev.yaml"), "utf8")) as {
      config: Record<string, unknown>;
    };
    const plain = plainConfig(dev);
    assert.ok("ecs:nodes" in plain && "openstack:authUrl" in plain);
    assert.ok(!("ecs:cmPassword" in plain) && !("ecs:sshPrivateKey" in plain), "no secure values");
    assert.ok(!JSON.stringify(plain).includes("v1:"), "nothing encrypted with the example passphrase");
    assert.ok(!("encryptionsalt" in plain));
  });
});
