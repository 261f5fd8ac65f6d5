import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/**
 * The offline environment every Pulumi invocation of this project runs in (scripts, tests,
 * benchmarks): the toolchain built by tools/toolchain/build.sh first on PATH, a private plugin
 * cache, a file backend, and no update checks or plugin downloads.
 */

export const REPO_ROOT = path.resolve(__dirname, "..");

function readVersions(): Record<string, string> {
  const text = fs.readFileSync(path.join(REPO_ROOT, "tools", "toolchain", "versions.env"), "utf8");
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2];
  }
  return out;
}

export const TOOLCHAIN_VERSIONS = readVersions();

export function cacheDir(): string {
  return process.env.ECS_PULUMI_CACHE ?? path.join(os.homedir(), ".cache", "ecs-pulumi");
}

export function toolchainBinDir(): string {
  return path.join(cacheDir(), "toolchain", `pulumi-v${TOOLCHAIN_VERSIONS.PULUMI_VERSION}`, "bin");
}

/** Passphrase for this project's example stacks (dev, lab, tests); real stacks bring their own. */
export const EXAMPLE_STACK_PASSPHRASE = "ecs-pulumi-example-stacks";

export interface PulumiEnvOptions {
  /** Directory of the file backend; default: <repo>/.cache/pulumi-state. */
  stateDir?: string;
  /**
   * Use the public example passphrase (unless one is set): only for the example stacks (dev,
   * lab) and the tests' throw-away stacks. A real stack brings its own.
   */
  examplePassphrase?: boolean;
  /** A backend URL to use instead of the file backend (the drill: the operator's $PULUMI_BACKEND_URL). */
  backendUrl?: string;
}

/** Stacks whose secrets are encrypted with the public example passphrase. */
export const EXAMPLE_STACKS: ReadonlySet<string> = new Set(["dev", "lab"]);

export function pulumiEnv(opts: PulumiEnvOptions = {}): Record<string, string> {
  const bin = toolchainBinDir();
  if (!fs.existsSync(path.join(bin, "pulumi"))) {
    throw new Error(
      `the Pulumi toolchain is not built (${bin}/pulumi missing). Fix: run tools/toolchain/build.sh once.`,
    );
  }
  const stateDir = opts.stateDir ?? path.join(REPO_ROOT, ".cache", "pulumi-state");
  // The lab's kubectl (v1.34, built with the toolchain) for the Kubernetes stages, when present.
  const kubeBin = path.join(cacheDir(), "toolchain", "kube-v1.34.4", "bin");
  const extraPath = fs.existsSync(path.join(kubeBin, "kubectl")) ? [bin, kubeBin] : [bin];
  fs.mkdirSync(stateDir, { recursive: true });
  return {
    PATH: [...extraPath, process.env.PATH ?? ""].join(path.delimiter),
    PULUMI_HOME: path.join(cacheDir(), "pulumi-home"),
    PULUMI_BACKEND_URL: opts.backendUrl ?? `file://${stateDir}`,
    ...(opts.examplePassphrase &&
    !process.env.PULUMI_CONFIG_PASSPHRASE &&
    !process.env.PULUMI_CONFIG_PASSPHRASE_FILE
      ? { PULUMI_CONFIG_PASSPHRASE: EXAMPLE_STACK_PASSPHRASE }
      : {}),
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_DISABLE_REGISTRY_RESOLVE: "true",
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
    // Enables `--event-log` on preview/up: the gate reads policy verdicts from it.
    PULUMI_DEBUG_COMMANDS: "true",
    // Ambient plugins on PATH would silently win over the pinned ones in the plugin cache.
    PULUMI_IGNORE_AMBIENT_PLUGINS: "true",
  };
}

/**
 * A stack encrypted with a passphrase that is not an example stack needs its own passphrase: the
 * example one is public. Says so instead of letting the CLI try the public one.
 */
export function passphraseProblem(stack: string | undefined): string | undefined {
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

/** process.env merged with the offline Pulumi environment, for child processes. */
export function childEnv(opts: PulumiEnvOptions = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...pulumiEnv(opts) };
}
