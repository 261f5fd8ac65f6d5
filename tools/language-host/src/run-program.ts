// The Run RPC: start `node @pulumi/pulumi/cmd/run <flags> <entry point>` from the program's own
// node_modules, wait for it and turn its exit into a RunResponse (error text or "bail").
import { spawn } from "child_process";
import { configEnv } from "./config-env";
import { lookPath, track, waitForExit } from "./child-processes";
import { locateModule } from "./locate-module";
import { parseNodeOptions, typescriptEnv } from "./options";

/**
 * Exit code with which @pulumi/pulumi's runner says "the error was already shown to the user"
 * (it logged it through the engine). The host then bails without adding a message of its own, so
 * the error appears once.
 */
export const EXIT_AFTER_USER_ACTIONABLE_MESSAGE = 32;

export interface RunInput {
  engineAddress?: string;
  monitorAddress: string;
  organization: string;
  project: string;
  stack: string;
  rootDirectory: string;
  programDirectory: string;
  entryPoint: string;
  dryRun: boolean;
  parallel: number;
  tracing?: string;
  args: string[];
  config: Map<string, string>;
  configSecretKeys: string[];
  options: Record<string, unknown> | undefined;
}

export interface RunOutcome {
  error: string;
  bail: boolean;
}

/** Arguments for @pulumi/pulumi/cmd/run, in the Go host's order; empty values are left out. */
export function runArguments(input: RunInput, runPath: string): string[] {
  const args = [runPath];
  const add = (flag: string, value: string | undefined) => {
    if (value) args.push(`--${flag}`, value);
  };
  add("monitor", input.monitorAddress);
  add("engine", input.engineAddress);
  add("organization", input.organization);
  add("project", input.project);
  add("root-directory", input.rootDirectory);
  add("stack", input.stack);
  add("pwd", input.programDirectory);
  if (input.dryRun) args.push("--dry-run");
  add("parallel", String(input.parallel));
  add("tracing", input.tracing);
  args.push(input.entryPoint || ".", ...input.args);
  return args;
}

/** `abort` stops the program (SIGINT, as the Go host does) when the engine abandons the Run call. */
export async function runProgram(input: RunInput, abort?: AbortSignal): Promise<RunOutcome> {
  const fail = (error: string): RunOutcome => ({ error, bail: false });
  const nodeBin = lookPath("node");
  if (!nodeBin) return fail("could not find node on the $PATH");
  let runPath: string;
  let nodeArgs: string[];
  let env: NodeJS.ProcessEnv;
  try {
    const options = parseNodeOptions(input.options);
    runPath = locateModule(
      process.env.PULUMI_LANGUAGE_NODEJS_RUN_PATH || "@pulumi/pulumi/cmd/run",
      input.programDirectory,
      false,
    );
    nodeArgs = [...options.nodeargs, ...runArguments(input, runPath)];
    env = { ...process.env, ...configEnv(input.config, input.configSecretKeys), ...typescriptEnv(options) };
  } catch (err) {
    return fail((err as Error).message);
  }

  // Pipes, not inherited descriptors: node may switch an inherited stdout to non-blocking mode,
  // which would also affect this process's own writes of the same descriptor.
  const child = track(
    spawn(nodeBin, nodeArgs, {
      cwd: input.programDirectory,
      env,
      stdio: ["ignore", "pipe", "pipe"],
      signal: abort,
      killSignal: "SIGINT",
    }),
  );
  child.stdout?.on("data", (chunk: Buffer) => process.stdout.write(chunk));
  child.stderr?.on("data", (chunk: Buffer) => process.stderr.write(chunk));
  try {
    const { code, signal } = await waitForExit(child);
    if (code === 0) return { error: "", bail: false };
    if (code === EXIT_AFTER_USER_ACTIONABLE_MESSAGE) return { error: "", bail: true };
    if (signal) return fail(`Program exited with non-zero exit code: -1 (killed by ${signal})`);
    return fail(`Program exited with non-zero exit code: ${code}`);
  } catch (err) {
    return fail(`Problem executing program (could not run language executor): ${(err as Error).message}`);
  }
}
