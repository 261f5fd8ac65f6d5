import * as assert from "assert";
import { EngineEvent } from "@pulumi/pulumi/automation";
import * as fs from "fs";
import * as os from "os";
import * as yaml from "js-yaml";
import * as path from "path";
import { copyProgram } from "../../tools/programCopy";
import { REPO_ROOT } from "../../tools/pulumiEnv";
import { EngineStack, openStack } from "../support/engine";

interface Verdict {
  policy: string;
  level: string;
  message: string;
}

/** `pulumi preview --policy-pack policies` of the real program, collecting the verdicts. */
async function previewWithPolicies(env: EngineStack): Promise<{ verdicts: Verdict[]; failed: boolean }> {
  const verdicts: Verdict[] = [];
  const onEvent = (e: EngineEvent) => {
    const p = e.policyEvent;
    if (p) verdicts.push({ policy: p.policyName, level: p.enforcementLevel, message: p.message });
  };
  try {
    await env.stack.preview({ policyPacks: [path.join(REPO_ROOT, "policies")], onEvent });
    return { verdicts, failed: false };
  } catch {
    return { verdicts, failed: true };
  }
}

describe("engine: the policy pack on real previews of the program", function () {
  this.timeout(10 * 60_000);
  let env: EngineStack;
  let program: string;

  async function stackWith(
    name: string,
    edit: (config: Record<string, unknown>) => void,
  ): Promise<EngineStack> {
    const doc = yaml.load(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.dev.yaml"), "utf8")) as {
      config: Record<string, unknown>;
    };
    edit(doc.config);
    program = copyProgram(fs.mkdtempSync(path.join(os.tmpdir(), "ecs-policy-")));
    fs.writeFileSync(path.join(program, `Pulumi.${name}.yaml`), yaml.dump(doc));
    return openStack(program, name);
  }

  afterEach(async () => {
    await env?.dispose();
    if (program) fs.rmSync(program, { recursive: true, force: true });
  });

  it("passes the dev stack", async () => {
    env = await stackWith("dev", () => {});
    const { verdicts, failed } = await previewWithPolicies(env);
    assert.deepStrictEqual(verdicts, [], JSON.stringify(verdicts, null, 1));
    assert.strictEqual(failed, false);
  });

  it("reports a small flavor and an image off the allowed list, and fails the preview", async () => {
    env = await stackWith("bad", (c) => {
      const placement = c["ecs:openstack"] as Record<string, unknown>;
      placement.agentFlavor = "m1.xlarge.8c16g";
      placement.image = "ubuntu-22.04";
    });
    const { verdicts, failed } = await previewWithPolicies(env);
    assert.strictEqual(failed, true, "mandatory violations fail the preview");
    const flavor = verdicts.filter((v) => v.policy === "ecs-flavor-minimums");
    assert.strictEqual(flavor.length, 3, JSON.stringify(verdicts, null, 1));
    assert.match(
      flavor[0].message,
      /ECS agent node ds0[456]\.ecs\.openstack\.com uses flavor "m1\.xlarge\.8c16g" \(8 vCPU, 16 GiB\)/,
    );
    const image = verdicts.filter((v) => v.policy === "ecs-image-allowed");
    assert.strictEqual(image.length, 6);
    assert.match(image[0].message, /boots from image "ubuntu-22.04", which is not on the allowed list/);
    assert.ok(flavor.every((v) => v.level === "mandatory"));
  });
});
