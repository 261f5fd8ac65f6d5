/**
 * Runs the pinned Pulumi CLI in the project's offline environment (tools/pulumiEnv.ts):
 *   npm run pulumi -- preview --diff --stack dev
 * The example stacks (dev, lab) are created on first use with the passphrase secrets provider.
 */
import { spawnSync } from "child_process";
import { childEnv, EXAMPLE_STACKS, passphraseProblem, REPO_ROOT } from "./pulumiEnv";

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
