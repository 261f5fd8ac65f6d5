// The GetProgramDependencies RPC (used by `pulumi about`): packages from the npm lock file.
import * as fs from "fs";
import * as path from "path";
import { searchUp } from "./install-dependencies";

export interface Dependency {
  name: string;
  version: string;
}

interface LockFile {
  packages?: Record<string, { version?: string; name?: string; link?: boolean }>;
  dependencies?: Record<string, { version?: string }>;
}

interface Manifest {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

export function programDependencies(programDirectory: string, transitive: boolean): Dependency[] {
  const dir = searchUp(programDirectory, "package-lock.json");
  if (!dir) throw new Error(`no package-lock.json found (searching upwards from ${programDirectory})`);
  const lock = JSON.parse(fs.readFileSync(path.join(dir, "package-lock.json"), "utf8")) as LockFile;
  const all = lockedPackages(lock);
  if (transitive) return all;
  const manifestPath = path.join(dir, "package.json");
  if (!fs.existsSync(manifestPath)) throw new Error(`could not find package.json in ${dir}`);
  const manifest = JSON.parse(fs.readFileSync(manifestPath, "utf8")) as Manifest;
  const direct = new Set([
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.devDependencies ?? {}),
  ]);
  const seen = new Set<string>();
  return all.filter((d) => direct.has(d.name) && !seen.has(d.name) && seen.add(d.name));
}

/** Lock file v2/v3 list packages under "packages" keyed by install path; v1 uses "dependencies". */
function lockedPackages(lock: LockFile): Dependency[] {
  if (lock.packages) {
    const result: Dependency[] = [];
    for (const [key, entry] of Object.entries(lock.packages)) {
      if (key === "" || entry.link || !entry.version) continue;
      const name = entry.name ?? key.slice(key.lastIndexOf("node_modules/") + "node_modules/".length);
      result.push({ name, version: entry.version });
    }
    return result;
  }
  return Object.entries(lock.dependencies ?? {}).map(([name, d]) => ({ name, version: d.version ?? "" }));
}
