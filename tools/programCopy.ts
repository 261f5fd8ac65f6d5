import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "./pulumiEnv";

/** What a copy of the program needs; everything else (tests, tools, lab) stays behind. */
const PROGRAM_FILES = [
  "Pulumi.yaml",
  "Pulumi.dev.yaml",
  "package.json",
  "tsconfig.json",
  "tsconfig.pulumi.json",
  "index.ts",
  "components",
];

/**
 * Copies the Pulumi program into `dir` with node_modules linked, so benchmarks and tests can
 * create stacks (and their Pulumi.<stack>.yaml files) without touching the clone.
 */
export function copyProgram(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const f of PROGRAM_FILES) fs.cpSync(path.join(REPO_ROOT, f), path.join(dir, f), { recursive: true });
  fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"));
  return dir;
}
