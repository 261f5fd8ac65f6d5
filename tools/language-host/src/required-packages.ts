// Finds the resource provider plugins a program needs: every package.json below a node_modules
// directory (searched deeply from the program directory) whose `pulumi` block says
// `"resource": true`. Behaviour follows the Go host's getPackagesFromDir/getPackageInfo.
import * as fs from "fs";
import * as path from "path";

export interface Parameterization {
  name: string;
  version: string;
  /** Raw bytes; package.json carries them base64-encoded. */
  value: Uint8Array;
}

export interface RequiredPackage {
  name: string;
  kind: "resource";
  /** Semver with a leading "v", as the CLI expects. */
  version: string;
  server: string;
  parameterization?: Parameterization;
}

export interface RequiredPackagesResult {
  packages: RequiredPackage[];
  /** @pulumi/pulumi copies found, keyed by package.json path, to warn about mixed versions. */
  pulumiSdkVersions: Map<string, string>;
  errors: string[];
}

interface PulumiBlock {
  resource?: boolean;
  name?: string;
  version?: string;
  server?: string;
  parameterization?: { name?: string; version?: string; value?: string };
}

interface PackageJson {
  name?: string;
  version?: string;
  pulumi?: PulumiBlock;
}

export function findRequiredPackages(programDirectory: string): RequiredPackagesResult {
  const result: RequiredPackagesResult = { packages: [], pulumiSdkVersions: new Map(), errors: [] };
  walk(path.resolve(programDirectory), false, new Set(), result);
  return result;
}

/** A policy pack's plugins belong to the pack, not to the program, so packs are not searched. */
function isPolicyPack(dir: string): boolean {
  return ["PulumiPolicy.yaml", "PulumiPolicy.yml"].some((f) => fs.existsSync(path.join(dir, f)));
}

function walk(
  dir: string,
  inNodeModules: boolean,
  visited: Set<string>,
  result: RequiredPackagesResult,
): void {
  if (visited.has(dir)) return;
  visited.add(dir);
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    result.errors.push(`reading plugin dir ${dir}: ${(err as Error).message}`);
    return;
  }
  const childrenInNodeModules = inNodeModules || path.basename(dir) === "node_modules";
  for (const entry of entries) {
    let full = path.join(dir, entry.name);
    let isDir = entry.isDirectory();
    if (entry.isSymbolicLink()) {
      // Resolve links so that `visited` sees real paths and cycles end.
      try {
        full = fs.realpathSync(full);
        isDir = fs.statSync(full).isDirectory();
      } catch (err) {
        result.errors.push(`resolving link in plugin dir ${full}: ${(err as Error).message}`);
        continue;
      }
    }
    if (isDir) {
      if (!isPolicyPack(full)) walk(full, childrenInNodeModules, visited, result);
    } else if (inNodeModules && entry.name === "package.json") {
      readPackageJson(full, result);
    }
  }
}

function readPackageJson(file: string, result: RequiredPackagesResult): void {
  let info: PackageJson;
  try {
    info = JSON.parse(fs.readFileSync(file, "utf8")) as PackageJson;
  } catch (err) {
    result.errors.push(`unmarshaling package.json ${file}: ${(err as Error).message}`);
    return;
  }
  if (info.name === "@pulumi/pulumi" && info.version) {
    result.pulumiSdkVersions.set(file, info.version);
  }
  try {
    const pkg = packageFromInfo(info);
    if (pkg) result.packages.push(pkg);
  } catch (err) {
    result.errors.push(`unmarshaling package.json ${file}: ${(err as Error).message}`);
  }
}

/** The plugin a package.json declares, or undefined when it declares none. Throws when it is malformed. */
export function packageFromInfo(info: PackageJson): RequiredPackage | undefined {
  const block = info.pulumi;
  if (!block || block.resource !== true) return undefined;
  const pkg: RequiredPackage = {
    name: pluginName(info),
    kind: "resource",
    version: pluginVersion(info),
    server: block.server ?? "",
  };
  const p = block.parameterization;
  if (p) {
    pkg.parameterization = {
      name: p.name ?? "",
      version: p.version ?? "",
      value: Buffer.from(p.value ?? "", "base64"),
    };
  }
  return pkg;
}

function pluginName(info: PackageJson): string {
  if (info.pulumi?.name) return info.pulumi.name;
  if (!info.name) throw new Error('missing expected "name" property');
  if (info.name.startsWith("@pulumi/")) return info.name.slice("@pulumi/".length);
  throw new Error(
    `Missing property "name" for the third-party plugin '${info.name}' inside package.json under the "pulumi" section.`,
  );
}

function pluginVersion(info: PackageJson): string {
  const version = info.pulumi?.version || info.version;
  if (!version) throw new Error('Missing expected "version" property');
  return version.startsWith("v") ? version : `v${version}`;
}

/** The Go host's compatibility rule for two @pulumi/pulumi versions (major must match after 2.x). */
export function incompatibleSdkVersions(versions: Map<string, string>): string | undefined {
  const entries = [...versions.entries()];
  if (entries.length < 2) return undefined;
  const [firstPath, firstVersion] = entries[0];
  const firstMajor = Number(firstVersion.split(".")[0]);
  for (const [p, v] of entries.slice(1)) {
    const major = Number(v.split(".")[0]);
    if ((major > 2 || firstMajor > 2) && major !== firstMajor) {
      return (
        "Found incompatible versions of @pulumi/pulumi. Differing major versions are not supported.\n" +
        `  Version ${firstVersion} referenced at ${firstPath}\n  Version ${v} referenced at ${p}\n`
      );
    }
  }
  return undefined;
}
