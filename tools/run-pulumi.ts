/**
 * Runs the pinned Pulumi CLI in the project's offline environment (tools/pulumiEnv.ts):
 *   npm run pulumi -- preview --diff --stack dev
 * The example stacks (dev, lab) are created on first use with the passphrase secrets provider.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { childEnv, EXAMPLE_STACKS, REPO_ROOT } from "./pulumiEnv";

/**
 * A stack encrypted with a passphrase that is not an example stack needs its own passphrase: the
 * example one is public. Says so instead of letting the CLI try the public one.
 */
function passphraseProblem(stack: string | undefined): string | undefined {
  if (!stack || EXAMPLE_STACKS.has(stack)) return undefined;
  if (process.env.PULUMI_CONFIG_PASSPHRASE || process.env.PULUMI_CONFIG_PASSPHRASE_FILE) return undefined;
  const file = path.join(REPO_ROOT, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file) || !/^encryptionsalt:/m.test(fs.readFileSync(file, "utf8"))) return undefined;
  return (
    `stack ${stack} encrypts its secrets with a passphrase, and only the example stacks (${[...EXAMPLE_STACKS].join(", ")}) ` +
    "use the public example one. Fix: export PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) with your stack's " +
    "passphrase, or use a KMS secrets provider (pulumi stack change-secrets-provider)."
  );
}

function main(argv: string[]): number {
  const i = argv.indexOf("--stack");
  const stack = i >= 0 ? argv[i + 1] : undefined;
  const problem = passphraseProblem(stack);
  if (problem) {
    console.error(`error: ${problem}`);
    return 2;
  }
  const env = childEnv({ examplePassphrase: stack !== undefined && EXAMPLE_STACKS.has(stack) });
  const run = (args: string[], quiet = false) =>
    spawnSync("pulumi", args, { cwd: REPO_ROOT, env, stdio: quiet ? "pipe" : "inherit", encoding: "utf8" });

  if (stack && EXAMPLE_STACKS.has(stack) && run(["stack", "select", stack], true).status !== 0) {
    const init = run(["stack", "init", stack, "--secrets-provider", "passphrase", "--non-interactive"]);
    if (init.status !== 0) return init.status ?? 1;
  }
  return run(argv).status ?? 1;
}

process.exitCode = main(process.argv.slice(2));
