import { EngineEvent, LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { pulumiEnv, toolchainBinDir } from "../../tools/pulumiEnv";

export interface CliInvocation {
  file: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** A stack of a program directory, on a throw-away file backend, run by the real engine. */
export interface EngineStack {
  stack: Stack;
  /** Runs the pinned CLI on this stack (same backend and environment); returns stdout, throws on failure. */
  cli(args: string[]): string;
  /** What `cli` runs (binary, arguments, directory, environment), for a test that spawns and kills it. */
  cliInvocation(args: string[]): CliInvocation;
  /** Scratch directory for the test (state, journals); removed by `dispose`. */
  tmp: string;
  dispose(): Promise<void>;
}

export async function openStack(
  workDir: string,
  stackName: string,
  extraEnv: Record<string, string> = {},
): Promise<EngineStack> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ecs-engine-"));
  // A throw-away stack of a test: the public example passphrase is fine.
  const env = { ...pulumiEnv({ stateDir: path.join(tmp, "state"), examplePassphrase: true }), ...extraEnv };
  const pulumiCommand = await PulumiCommand.get({
    root: path.dirname(toolchainBinDir()),
    skipVersionCheck: true,
  });
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName, workDir },
    { envVars: env, pulumiCommand, pulumiHome: env.PULUMI_HOME },
  );
  const cliInvocation = (args: string[]): CliInvocation => ({
    file: path.join(toolchainBinDir(), "pulumi"),
    args: [...args, "--stack", stackName, "--non-interactive"],
    cwd: workDir,
    env: { ...process.env, ...env },
  });
  return {
    stack,
    tmp,
    cliInvocation,
    cli(args: string[]) {
      const c = cliInvocation(args);
      const r = spawnSync(c.file, c.args, {
        cwd: c.cwd,
        env: c.env,
        encoding: "utf8",
        maxBuffer: 256 * 1024 * 1024,
      });
      if (r.status !== 0) throw new Error(`pulumi ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
      return r.stdout;
    },
    async dispose() {
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/** One engine step as it started: the operation and the resource's logical name. */
export interface StepEvent {
  op: string;
  name: string;
  type: string;
}

/** Collects the steps of an update in the order the engine started them. */
export function stepRecorder(): { onEvent: (e: EngineEvent) => void; steps: StepEvent[] } {
  const steps: StepEvent[] = [];
  return {
    steps,
    onEvent(e: EngineEvent) {
      const m = e.resourcePreEvent?.metadata;
      // Provider instances and the stack itself are engine bookkeeping, not stages.
      if (!m || m.op === "same" || m.type.startsWith("pulumi:providers:") || m.type === "pulumi:pulumi:Stack")
        return;
      const urn = m.urn;
      steps.push({ op: m.op, name: urn.slice(urn.lastIndexOf("::") + 2), type: m.type });
    },
  };
}
