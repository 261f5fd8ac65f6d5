import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "./pulumiEnv";

/** What a copy of the program needs; everything else (tests, tools, lab) stays behind. */
const PROGRAM_FILES = [
  "Pulumi.yaml",
  "Pulumi.dev.yaml",
  "package.json",
  "tsconfig.json",
  "tsconfig.build.json",
  "index.ts",
  "components",
  // The compiled program (`npm run build`): Pulumi.yaml runs it, and the stages run its scripts.
  "bin",
];

/**
 * Copies the Pulumi program into `dir` with node_modules linked, so benchmarks and tests can
 * create stacks (and their Pulumi.<stack>.yaml files) without touching the clone. Over an older
 * copy, its program files are replaced whole (the stack files stay): an upgrade in place.
 */
export function copyProgram(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const f of PROGRAM_FILES) {
    fs.rmSync(path.join(dir, f), { recursive: true, force: true });
    fs.cpSync(path.join(REPO_ROOT, f), path.join(dir, f), { recursive: true });
  }
  return linkNodeModules(dir);
}

/** Links the clone's node_modules into a program directory (once). */
export function linkNodeModules(dir: string): string {
  if (!fs.existsSync(path.join(dir, "node_modules")))
    fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"));
  return dir;
}

/**
 * The program as an earlier commit of this repository had it (for upgrade tests), with
 * node_modules linked. Needs the clone's history: a shallow clone fails here, saying so.
 */
export function checkoutProgram(dir: string, commit: string, files: string[]): string {
  fs.mkdirSync(dir, { recursive: true });
  const archive = spawnSync("git", ["-C", REPO_ROOT, "archive", "--format=tar", commit, "--", ...files], {
    maxBuffer: 1 << 30,
  });
  if (archive.status !== 0)
    throw new Error(
      `git archive ${commit}: ${archive.error?.message ?? archive.stderr.toString().trim()} (a shallow clone lacks the commit: fetch the full history)`,
    );
  execFileSync("tar", ["-x", "-C", dir], { input: archive.stdout });
  return linkNodeModules(dir);
}
