// The RunPlugin RPC: run a plugin written in Node.js from its own directory and stream its output.
// The engine uses it for TypeScript policy packs (kind "analyzer", CLI >= 3.221), which go through
// PolicyProxy; other plugin kinds run @pulumi/pulumi/cmd/run-plugin directly.
import { spawn } from "child_process";
import { lookPath, track, waitForExit } from "./child-processes";
import { Deferred } from "./deferred";
import { locateModule } from "./locate-module";
import { OutputSink } from "./install-dependencies";
import { parseNodeOptions, typescriptEnv } from "./options";
import { PolicyProxy } from "./policy-proxy";

export interface RunPluginInput {
  kind: string;
  name: string;
  pwd: string;
  programDirectory: string;
  args: string[];
  /** "KEY=value" entries; like the Go host, the plugin gets exactly these (plus TypeScript flags). */
  env: string[];
  options: Record<string, unknown> | undefined;
}

/** Lets the RPC layer stop the plugin when the engine hangs up. */
export interface PluginControl {
  onCancel(stop: () => void): void;
}

const ANALYZER_KIND = "analyzer";

export function envFromList(entries: readonly string[]): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const entry of entries) {
    const eq = entry.indexOf("=");
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

export async function runPlugin(
  input: RunPluginInput,
  sink: OutputSink,
  control: PluginControl,
): Promise<void> {
  const isPolicyPack = input.kind === ANALYZER_KIND;
  const nodeBin = lookPath("node");
  if (!nodeBin) throw new Error("could not find node on the $PATH");
  const options = parseNodeOptions(input.options);
  const env = { ...envFromList(input.env), ...typescriptEnv(options) };
  const runPath = locateModule(
    isPolicyPack
      ? "@pulumi/pulumi/cmd/run-policy-pack"
      : process.env.PULUMI_LANGUAGE_NODEJS_RUN_PATH || "@pulumi/pulumi/cmd/run-plugin",
    input.programDirectory,
    true,
  );
  // nodeargs are node options, so they go before the script (the Go host appends them after it).
  const args = [...options.nodeargs, runPath];
  // Policy packs take the program directory last; every other plugin takes it first.
  if (isPolicyPack) args.push(...input.args, input.programDirectory);
  else args.push(input.programDirectory, ...input.args);

  let proxy: PolicyProxy | undefined;
  const cancelled = new Deferred<undefined>();
  control.onCancel(() => cancelled.resolve(undefined));
  try {
    if (isPolicyPack) {
      proxy = await PolicyProxy.start();
      sink.stdout(Buffer.from(`${proxy.port}\n`));
      const stackEnv = await Promise.race([policyPackEnv(proxy), cancelled.promise]);
      if (!stackEnv) return;
      Object.assign(env, stackEnv);
    }
    // Policy packs have always run from their own directory; other plugins from the caller's.
    const cwd = isPolicyPack ? input.programDirectory : input.pwd || input.programDirectory;
    const child = track(spawn(nodeBin, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] }));
    control.onCancel(() => child.kill("SIGTERM"));
    child.stderr?.on("data", (chunk: Buffer) => sink.stderr(chunk));
    const exited = waitForExit(child);
    if (proxy && child.stdout) {
      const attached = proxy.attach(child.stdout, (chunk) => sink.stdout(chunk));
      attached.catch(() => child.kill("SIGTERM"));
      await Promise.race([attached, exited]);
      await attached.catch((err: Error) => {
        throw new Error(`could not attach policy pack proxy: ${err.message}`);
      });
    } else {
      child.stdout?.on("data", (chunk: Buffer) => sink.stdout(chunk));
    }
    const { code, signal } = await exited.catch((err: Error) => {
      throw new Error(`Problem executing plugin program (could not run language executor): ${err.message}`);
    });
    if (cancelled.isSettled) return;
    if (code !== 0) throw new Error(`Program exited with non-zero exit code: ${code ?? `-1 (${signal})`}`);
  } finally {
    proxy?.close();
  }
}

/** The stack settings @pulumi/policy reads at start-up, taken from the engine's ConfigureStack. */
async function policyPackEnv(proxy: PolicyProxy): Promise<Record<string, string>> {
  const config = await proxy.awaitConfiguration();
  if (!config) return {};
  const env: Record<string, string> = {};
  const add = (key: string, value: string) => {
    if (value) env[key] = value;
  };
  add("PULUMI_NODEJS_ORGANIZATION", config.getOrganization());
  add("PULUMI_NODEJS_PROJECT", config.getProject());
  add("PULUMI_NODEJS_STACK", config.getStack());
  add("PULUMI_NODEJS_DRY_RUN", String(config.getDryRun()));
  const values: Record<string, string> = {};
  config.getConfigMap().forEach((value, key) => {
    values[key] = value;
  });
  add("PULUMI_CONFIG", JSON.stringify(values));
  return env;
}
