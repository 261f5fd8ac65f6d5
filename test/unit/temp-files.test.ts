import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { privateTempDir } from "../../components/kube/context";
import { toolEnv } from "../../components/kube/kubectl";

/** A stage killed by the engine (cancel, timeout: SIGTERM) leaves no kubeconfig text behind. */
describe("stage temp files", () => {
  it("removes the kubeconfig written for kubectl when the stage is terminated", async function () {
    this.timeout(30_000);
    const script = [
      `const { kubeconfigPath } = require(${JSON.stringify(path.resolve(__dirname, "../../components/kube/context"))});`,
      'const file = kubeconfigPath({}, { kubeconfig: "apiVersion: v1\\nclusters: []\\n" });',
      "console.log(file);",
      "setInterval(() => undefined, 1000);",
    ].join("\n");
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const file = await new Promise<string>((resolve) =>
      child.stdout.once("data", (d) => resolve(String(d).trim())),
    );
    assert.ok(fs.existsSync(file), "written while the stage runs");
    assert.strictEqual(fs.statSync(file).mode & 0o777, 0o600);
    child.kill("SIGTERM");
    const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
    assert.strictEqual(code, 143);
    assert.ok(!fs.existsSync(path.dirname(file)), "gone after SIGTERM");
  });

  it("leaves a process that handles SIGINT itself (deferSignalExit) running, its files in place until it exits (a drill's Ctrl-C)", async function () {
    this.timeout(30_000);
    const script = [
      `const { deferSignalExit, privateTempDir } = require(${JSON.stringify(path.resolve(__dirname, "../../components/kube/context"))});`,
      "deferSignalExit();",
      'process.on("SIGINT", () => { console.log("recovering"); setTimeout(() => process.exit(0), 300); });',
      'console.log(privateTempDir("kube"));',
      "setInterval(() => undefined, 1000);",
    ].join("\n");
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const lines: string[] = [];
    child.stdout.on("data", (d) => lines.push(...String(d).trim().split("\n")));
    while (lines.length === 0) await new Promise((r) => setTimeout(r, 50));
    const dir = lines[0];
    child.kill("SIGINT");
    while (!lines.includes("recovering") && child.exitCode === null)
      await new Promise((r) => setTimeout(r, 50));
    assert.ok(fs.existsSync(dir), "still there while the process goes on");
    const code = await new Promise<number | null>((resolve) =>
      child.exitCode !== null ? resolve(child.exitCode) : child.once("exit", (c) => resolve(c)),
    );
    assert.strictEqual(code, 0, "its own handler ended it, not the temp-dir clean-up");
    assert.ok(lines.includes("recovering"));
    assert.ok(!fs.existsSync(dir), "removed at exit");
  });

  it("removes what a SIGKILLed stage left behind on the next stage's start", async function () {
    this.timeout(30_000);
    const context = JSON.stringify(path.resolve(__dirname, "../../components/kube/context"));
    const leaver = spawn(
      process.execPath,
      [
        "-r",
        "ts-node/register/transpile-only",
        "-e",
        `console.log(require(${context}).privateTempDir("kube")); setInterval(() => 0, 1000);`,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    const left = await new Promise<string>((resolve) =>
      leaver.stdout.once("data", (d) => resolve(String(d).trim())),
    );
    leaver.kill("SIGKILL");
    await new Promise((resolve) => leaver.once("exit", resolve));
    assert.ok(fs.existsSync(left), "SIGKILL leaves it");
    privateTempDir("kube");
    assert.ok(!fs.existsSync(left), "the next stage removed it");
  });
});

describe("tools' environment", () => {
  it("gives kubectl and ssh what they need, not the operator's credentials", async () => {
    const env = toolEnv({
      PATH: "/usr/bin",
      HOME: "/root",
      HTTPS_PROXY: "http://proxy:3128",
      OS_PASSWORD: "os-secret",
      PULUMI_CONFIG_PASSPHRASE: "pass",
      AWS_SECRET_ACCESS_KEY: "aws",
    });
    assert.deepStrictEqual(Object.keys(env).sort(), ["HOME", "HTTPS_PROXY", "PATH"]);
  });
});
