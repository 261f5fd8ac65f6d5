// The InstallDependencies RPC: run the project's package manager and stream its output back.
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { track, waitForExit } from "./child-processes";
import { PackageManager } from "./options";

export interface OutputSink {
  stdout(chunk: Buffer): void;
  stderr(chunk: Buffer): void;
}

/** Nearest directory at or above `start` that contains `name`, or undefined. */
export function searchUp(start: string, name: string): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    if (fs.existsSync(path.join(dir, name))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The package manager for `auto`, chosen from lock files as the Go host does. */
export function resolvePackageManager(choice: PackageManager, dir: string): Exclude<PackageManager, "auto"> {
  if (choice !== "auto") return choice;
  if (process.env.PULUMI_PREFER_YARN === "true" || fs.existsSync(path.join(dir, "yarn.lock"))) return "yarn";
  if (fs.existsSync(path.join(dir, "pnpm-lock.yaml"))) return "pnpm";
  if (["bun.lockb", "bun.lock"].some((f) => fs.existsSync(path.join(dir, f)))) return "bun";
  return "npm";
}

export async function installDependencies(
  directory: string,
  packageManager: PackageManager,
  sink: OutputSink,
): Promise<void> {
  const manager = resolvePackageManager(packageManager, directory);
  // The same commands as the Go host's npm package (sdk/nodejs/npm).
  const args = manager === "npm" ? ["install", "--loglevel=error"] : ["install"];
  sink.stdout(Buffer.from("Installing dependencies...\n\n"));
  const child = track(spawn(manager, args, { cwd: directory, stdio: ["ignore", "pipe", "pipe"] }));
  child.stdout?.on("data", (chunk: Buffer) => sink.stdout(chunk));
  child.stderr?.on("data", (chunk: Buffer) => sink.stderr(chunk));
  let status;
  try {
    status = await waitForExit(child);
  } catch (err) {
    throw new Error(`${manager} install failed: ${(err as Error).message}`);
  }
  if (status.code !== 0) {
    throw new Error(`${manager} install failed: exit code ${status.code ?? status.signal}`);
  }
  if (!searchUp(directory, "node_modules")) {
    throw new Error(`${manager} install reported success, but node_modules directory is missing`);
  }
  sink.stdout(Buffer.from("Finished installing dependencies\n\n"));
}
