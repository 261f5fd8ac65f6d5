// Tests of the TypeScript language host (tools/language-host).
//
// "pieces" checks the host's pure parts against the repo's real node_modules. "with the real CLI"
// installs the host with install.sh into a fresh bin dir next to the Pulumi CLI built by the
// toolchain, and drives a tiny TypeScript program with a dynamic provider through
// stack init / preview / up / update / failing preview / destroy, fully offline (file backend).
import { strict as assert } from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseHostArgs } from "../../tools/language-host/src/args";
import { configEnv, legacyConfigKey } from "../../tools/language-host/src/config-env";
import { parseNodeOptions, splitShellWords } from "../../tools/language-host/src/options";
import { findRequiredPackages, packageFromInfo } from "../../tools/language-host/src/required-packages";
import { runArguments, RunInput } from "../../tools/language-host/src/run-program";
import { POLICY_PACK_FILES } from "./fixtures/language-host-policy-pack";

const REPO = path.resolve(__dirname, "..", "..");
const CLI_VERSION = "3.248.0";
const DEFAULT_CLI = path.join(
  os.homedir(),
  ".cache",
  "ecs-pulumi",
  "toolchain",
  `pulumi-v${CLI_VERSION}`,
  "bin",
  "pulumi",
);
const CLI = process.env.ECS_PULUMI_CLI ?? DEFAULT_CLI;
// The policy pack borrows @pulumi/policy from the project's own pack (policies/, installed with npm ci).
const POLICY_NODE_MODULES = path.join(REPO, "policies", "node_modules");

describe("language host pieces", () => {
  it("parses the CLI's launch arguments and ignores unknown flags", () => {
    const args = parseHostArgs([
      "--logtostderr",
      "-v=9",
      "--tracing",
      "http://t",
      "--new-flag",
      "127.0.0.1:5000",
    ]);
    assert.equal(args.engineAddress, "127.0.0.1:5000");
    assert.equal(args.tracing, "http://t");
    assert.equal(args.runtime, "nodejs");
    assert.equal(parseHostArgs(["--runtime=bun", "x:1"]).runtime, "bun");
  });

  it("finds the provider plugins the repo's packages declare, as the Go host would", () => {
    const found = findRequiredPackages(REPO);
    const byName = new Map(found.packages.map((p) => [p.name, p.version]));
    assert.equal(byName.get("openstack"), "v3.15.2"); // no pulumi.version: falls back to package version
    assert.equal(byName.get("command"), "v1.2.1");
    assert.equal(byName.get("kubernetes"), "v4.25.0");
    assert.ok(!byName.has("pulumi"), "@pulumi/pulumi is not a resource plugin");
    assert.equal(found.pulumiSdkVersions.size >= 1, true);
  });

  it("derives plugin names and versions from package.json", () => {
    assert.deepEqual(packageFromInfo({ name: "@pulumi/x", version: "1.0.0", pulumi: { resource: true } }), {
      name: "x",
      kind: "resource",
      version: "v1.0.0",
      server: "",
    });
    const declared = { resource: true, name: "zed", version: "1.5.0", server: "https://plugins.example" };
    assert.deepEqual(packageFromInfo({ name: "@pulumi/z", version: "2.0.0", pulumi: declared }), {
      name: "zed",
      kind: "resource",
      version: "v1.5.0",
      server: "https://plugins.example",
    });
    assert.equal(packageFromInfo({ name: "@pulumi/y", version: "1.0.0" }), undefined);
    assert.throws(() =>
      packageFromInfo({ name: "third-party", version: "1.0.0", pulumi: { resource: true } }),
    );
  });

  it("passes config in the legacy key form through the environment", () => {
    assert.equal(legacyConfigKey("proj:who"), "proj:config:who");
    assert.equal(legacyConfigKey("proj:config:who"), "proj:config:who");
    assert.throws(() => legacyConfigKey("nocolon"));
    const env = configEnv(new Map([["proj:pw", "s3cret"]]), ["proj:pw"]);
    assert.deepEqual(JSON.parse(env.PULUMI_CONFIG), { "proj:config:pw": "s3cret" });
    assert.deepEqual(JSON.parse(env.PULUMI_CONFIG_SECRET_KEYS), ["proj:pw"]);
  });

  it("builds the runner's command line without secrets", () => {
    const input: RunInput = {
      engineAddress: "127.0.0.1:1",
      monitorAddress: "127.0.0.1:2",
      organization: "",
      project: "p",
      stack: "s",
      rootDirectory: "/r",
      programDirectory: "/r",
      entryPoint: ".",
      dryRun: true,
      parallel: 16,
      args: [],
      config: new Map([["p:pw", "s3cret"]]),
      configSecretKeys: ["p:pw"],
      options: undefined,
    };
    const args = runArguments(input, "/run.js");
    assert.deepEqual(args, [
      "/run.js",
      "--monitor",
      "127.0.0.1:2",
      "--engine",
      "127.0.0.1:1",
      "--project",
      "p",
      "--root-directory",
      "/r",
      "--stack",
      "s",
      "--pwd",
      "/r",
      "--dry-run",
      "--parallel",
      "16",
      ".",
    ]);
    assert.ok(!args.join(" ").includes("s3cret"));
  });

  it("reads runtime options with the Go host's defaults", () => {
    assert.deepEqual(parseNodeOptions(undefined), { typescript: true, nodeargs: [], packageManager: "auto" });
    assert.deepEqual(splitShellWords(`--a "b c" 'd e' f\\ g`), ["--a", "b c", "d e", "f g"]);
    assert.throws(() => parseNodeOptions({ packagemanager: "maven" }));
  });
});

interface CliResult {
  code: number;
  output: string;
  seconds: number;
}

describe("language host with the real CLI", function () {
  this.timeout(10 * 60 * 1000);
  let work = "";
  let env: NodeJS.ProcessEnv = {};
  let programDir = "";
  let sameDirAsCli = false;

  const pulumi = (...args: string[]): Promise<CliResult> =>
    new Promise((resolve) => {
      const started = Date.now();
      execFile(
        "pulumi",
        [...args, "--color", "never"],
        { cwd: programDir, env, maxBuffer: 64 * 1024 * 1024 },
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
          resolve({ code, output: `${stdout}${stderr}`, seconds: (Date.now() - started) / 1000 });
        },
      );
    });
  const ok = async (...args: string[]): Promise<CliResult> => {
    const result = await pulumi(...args);
    assert.equal(result.code, 0, `pulumi ${args.join(" ")} failed:\n${result.output}`);
    return result;
  };
  const stackOutputs = async (): Promise<Record<string, unknown>> =>
    JSON.parse((await ok("stack", "output", "--json")).output) as Record<string, unknown>;

  before(async function () {
    if (!fs.existsSync(CLI)) {
      console.log(`    (skipped: no Pulumi CLI at ${CLI}; set ECS_PULUMI_CLI or build the toolchain)`);
      this.skip();
    }
    work = fs.mkdtempSync(path.join(os.tmpdir(), "language-host-test-"));
    const bin = path.join(work, "bin");
    fs.mkdirSync(bin);
    // The CLI looks for bundled plugins next to its own (symlink-resolved) executable; a hard link
    // gives it one in our fresh bin dir without copying 100 MB.
    try {
      fs.linkSync(CLI, path.join(bin, "pulumi"));
      sameDirAsCli = true;
    } catch {
      fs.symlinkSync(CLI, path.join(bin, "pulumi"));
    }
    await new Promise<void>((resolve, reject) =>
      execFile(path.join(REPO, "tools", "language-host", "install.sh"), [bin], (err, _out, stderr) =>
        err ? reject(new Error(`install.sh failed: ${stderr}`)) : resolve(),
      ),
    );
    programDir = path.join(work, "program");
    fs.cpSync(path.join(__dirname, "fixtures", "language-host-program"), programDir, { recursive: true });
    fs.symlinkSync(path.join(REPO, "node_modules"), path.join(programDir, "node_modules"));
    fs.mkdirSync(path.join(work, "state"));
    env = {
      PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}`,
      HOME: process.env.HOME,
      PULUMI_HOME: path.join(work, "home"),
      PULUMI_BACKEND_URL: `file://${path.join(work, "state")}`,
      PULUMI_CONFIG_PASSPHRASE: "test",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_DISABLE_REGISTRY_RESOLVE: "true",
      PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
    };
  });

  after(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it("creates a stack", async () => {
    await ok("stack", "init", "dev");
  });

  it("previews the program", async () => {
    const result = await ok("preview", "--non-interactive");
    console.log(`    pulumi preview took ${result.seconds.toFixed(1)} s`);
    assert.match(result.output, /\+\s+pulumi-nodejs:dynamic:Resource\s+greeting\s+create/);
    assert.match(result.output, /\+ 2 to create/);
    if (sameDirAsCli)
      assert.doesNotMatch(result.output, /from \$PATH/, "host should be found next to the CLI");
  });

  it("deploys with pulumi up and exports the stack output", async () => {
    const result = await ok("up", "--yes", "--non-interactive");
    assert.match(result.output, /\+ 2 created/);
    assert.deepEqual(await stackOutputs(), { text: "hello world" });
  });

  it("applies a changed input as an update", async () => {
    await ok("config", "set", "who", "pulumi");
    const result = await ok("up", "--yes", "--non-interactive");
    assert.match(result.output, /~ 1 updated/);
    assert.deepEqual(await stackOutputs(), { text: "hello pulumi" });
  });

  it("enforces a TypeScript policy pack run through RunPlugin", async function () {
    if (!fs.existsSync(path.join(POLICY_NODE_MODULES, "@pulumi", "policy"))) {
      console.log(`    (skipped: no @pulumi/policy in ${POLICY_NODE_MODULES}; run npm ci in policies/)`);
      this.skip();
    }
    const pack = path.join(work, "policy-pack");
    fs.mkdirSync(pack);
    for (const [name, text] of Object.entries(POLICY_PACK_FILES))
      fs.writeFileSync(path.join(pack, name), text);
    fs.symlinkSync(POLICY_NODE_MODULES, path.join(pack, "node_modules"));
    await ok("config", "set", "who", "forbidden");
    const result = await pulumi("preview", "--non-interactive", "--policy-pack", pack);
    await ok("config", "set", "who", "pulumi");
    assert.notEqual(result.code, 0, `a mandatory violation must fail the preview:\n${result.output}`);
    assert.match(result.output, /no-forbidden-greeting/);
    assert.match(result.output, /greeting 'forbidden' refused in stack dev/);
  });

  it("reports a program error once and fails", async () => {
    await ok("config", "set", "fail", "true");
    const result = await pulumi("preview", "--non-interactive");
    assert.notEqual(result.code, 0, "a failing program must fail the preview");
    const mentions = result.output.split("deliberate program failure").length - 1;
    assert.equal(mentions, 1, `the error should appear once:\n${result.output}`);
    assert.doesNotMatch(result.output, /non-zero exit code/, "the host must bail, not add its own error");
    await ok("config", "rm", "fail");
  });

  it("destroys the stack's resources", async () => {
    const result = await ok("destroy", "--yes", "--non-interactive");
    assert.match(result.output, /- 2 deleted/);
    const exported = JSON.parse((await ok("stack", "export")).output) as {
      deployment: { resources?: unknown[] };
    };
    assert.equal((exported.deployment.resources ?? []).length, 0);
  });
});
