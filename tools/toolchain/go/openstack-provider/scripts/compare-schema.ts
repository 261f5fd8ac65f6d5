// Compares a generated schema.json with the installed @pulumi/openstack SDK and prints every
// mismatch. Exits 1 when a member the project relies on (key-members.ts) differs, or when
// --strict is given and anything differs.
// Usage: node -r ts-node/register/transpile-only scripts/compare-schema.ts <schema.json> [--strict]
import * as fs from "fs";
import { compareSurfaces, Mismatch } from "./compare-surfaces";
import { isKeyMember } from "./key-members";
import { PackageSchema, readSchemaSurface } from "./schema-surface";
import { readSdkSurface } from "./sdk-surface";

export function compareSchemaFile(schemaPath: string): { key: Mismatch[]; other: Mismatch[] } {
  const schema = JSON.parse(fs.readFileSync(schemaPath, "utf8")) as PackageSchema;
  const all = compareSurfaces(readSdkSurface(), readSchemaSurface(schema));
  return { key: all.filter((m) => isKeyMember(m.member)), other: all.filter((m) => !isKeyMember(m.member)) };
}

function main(): void {
  const schemaPath = process.argv[2];
  if (!schemaPath) {
    console.error("usage: compare-schema.ts <schema.json> [--strict]");
    process.exit(2);
  }
  const { key, other } = compareSchemaFile(schemaPath);
  for (const m of [...key, ...other])
    console.log(`${isKeyMember(m.member) ? "KEY  " : "other"} ${m.member}: ${m.detail}`);
  console.log(
    `[toolchain] openstack: schema vs SDK: ${key.length} key mismatches, ${other.length} other mismatches`,
  );
  const failed = key.length > 0 || (process.argv.includes("--strict") && other.length > 0);
  process.exit(failed ? 1 : 0);
}

if (require.main === module) main();
