/**
 * npm run drill -- --stack <stack> --node <name> --fault power-off|kubelet-stop|none
 *                  --recover case1|case2|case3|rejoin|rebuild [--yes] [--dry-run] [--out <dir>]
 * Runs one HA drill (see drill.ts and README "Drills") with the pinned Pulumi CLI and this
 * project's backend ($PULUMI_BACKEND_URL if set), and prints where the report and picture are.
 * Exit: 0 passed, 1 an expectation failed, 2 refused (nothing touched), 3 stopped early (incomplete).
 */
import { LocalWorkspace, PulumiCommand } from "@pulumi/pulumi/automation";
import * as fs from "fs";
import * as path from "path";
import { EXAMPLE_STACKS, passphraseProblem, pulumiEnv, REPO_ROOT, toolchainBinDir } from "../pulumiEnv";
import { deferSignalExit } from "../../components/kube/context";
import { DrillRefused, runDrill } from "./drill";
import { parseDrillArgs, UsageError } from "./plan";

/** A binary on the Pulumi environment's PATH (the toolchain's kubectl first). */
function onPath(pathList: string, name: string): string {
  for (const dir of pathList.split(path.delimiter)) {
    const file = path.join(dir, name);
    if (dir && fs.existsSync(file)) return file;
  }
  throw new Error(
    `${name} is not on PATH. Fix: install it, or run npm run toolchain (which builds kubectl).`,
  );
}

async function main(): Promise<number> {
  const request = parseDrillArgs(process.argv.slice(2), path.join(REPO_ROOT, "drill-reports"));
  const problem = passphraseProblem(request.stack);
  if (problem) throw new UsageError(problem);
  // A real stack lives in the operator's backend (PULUMI_BACKEND_URL, e.g. s3://...); else the project's file backend.
  const env = pulumiEnv({
    examplePassphrase: EXAMPLE_STACKS.has(request.stack),
    backendUrl: process.env.PULUMI_BACKEND_URL || undefined,
  });
  const pulumiCommand = await PulumiCommand.get({
    root: path.dirname(toolchainBinDir()),
    skipVersionCheck: true,
  });
  const stack = await LocalWorkspace.selectStack(
    { stackName: request.stack, workDir: REPO_ROOT },
    { envVars: env, pulumiCommand, pulumiHome: env.PULUMI_HOME },
  );
  // The stages run under the Pulumi environment; the drill's own kubectl and ssh come from the same PATH.
  process.env.PATH = env.PATH;
  // Ctrl-C, a closed terminal or a kill: stop injecting and watching, recover through the stack.
  deferSignalExit();
  const abort = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const)
    process.on(signal, () => {
      if (abort.signal.aborted) return;
      console.error(
        `\n[drill] ${signal}: no more injecting or watching; recovering through the stack now. A Ctrl-C ` +
          "also reaches a pulumi up that is already running (same terminal) and cancels it: then finish with " +
          `pulumi up --stack ${request.stack}.`,
      );
      abort.abort();
    });
  const result = await runDrill({
    request,
    stack,
    kubectl: onPath(env.PATH, "kubectl"),
    log: (m) => console.log(`${new Date().toISOString().slice(11, 19)} ${m}`),
    signal: abort.signal,
  });
  if (result.outcome === "dry-run") return 0;
  console.log(`report:   ${result.reportFile}\ntimeline: ${result.svgFile}`);
  return { passed: 0, failed: 1, incomplete: 3 }[result.outcome];
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: Error) => {
    const refused = e instanceof DrillRefused || e instanceof UsageError;
    console.error(`${refused ? "refused" : "error"}: ${e.message}`);
    process.exitCode = refused ? 2 : 1;
  },
);
