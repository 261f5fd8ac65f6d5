/**
 * Prints every difference between the schema a built pulumi-resource-command serves and
 * what the @pulumi/command SDK in node_modules expects. Exit code 1 if there is any.
 *
 *   npx ts-node --transpile-only tools/toolchain/go/command-provider/schema-check/main.ts <path to pulumi-resource-command>
 */
import { compare } from "./compare";
import { fetchSchema, schemaShape } from "./provider-schema";
import { sdkShape } from "./sdk-shape";

async function main(): Promise<void> {
  const binary = process.argv[2];
  if (!binary) throw new Error("usage: main.ts <pulumi-resource-command binary>");
  const mismatches = compare(sdkShape(), schemaShape(await fetchSchema(binary)));
  for (const m of mismatches) console.log(`MISMATCH ${m}`);
  console.log(`${mismatches.length} mismatch(es)`);
  process.exitCode = mismatches.length > 0 ? 1 : 0;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 2;
});
