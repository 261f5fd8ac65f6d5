/**
 * Derives the checked-in API artefacts from the official Cloudera Manager API description.
 *
 *   node -r ts-node/register/transpile-only components/cloudera/codegen/generate.ts <cm-api-v45.swagger.json>
 *
 * Writes
 *   spec/cm-api-v45.json       the official description without its `example(s)` blocks (5x smaller) and
 *                              without the `{mockUuid}` base-path prefix that real CM does not have;
 *   api-types.generated.ts     TypeScript types for the models the client uses, with their dependencies.
 * Re-run it (and commit both files) when the description is updated.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { renderTypes } from "./render-types";
import { SwaggerSpec, trimSpec } from "./trim-spec";

/** Models the client and simulator use; everything they reference is pulled in too. */
export const ROOT_MODELS = [
  "ApiBulkCommandList",
  "ApiCluster",
  "ApiClusterList",
  "ApiCommand",
  "ApiCommandList",
  "ApiEcho",
  "ApiHost",
  "ApiHostList",
  "ApiHostRef",
  "ApiHostRefList",
  "ApiHostsToRemoveArgs",
  "ApiRole",
  "ApiRoleList",
  "ApiRoleNameList",
  "ApiService",
  "ApiServiceList",
  "ApiVersionInfo",
];

function main(): void {
  const source = process.argv[2];
  if (!source) {
    throw new Error("usage: generate.ts <path to cm-api-v45.swagger.json>");
  }
  const raw = fs.readFileSync(source);
  const sha256 = crypto.createHash("sha256").update(raw).digest("hex");
  const spec = trimSpec(JSON.parse(raw.toString("utf8")) as SwaggerSpec, sha256);
  const outDir = path.resolve(__dirname, "..");
  fs.writeFileSync(path.join(outDir, "spec", "cm-api-v45.json"), JSON.stringify(spec, null, 2) + "\n");
  fs.writeFileSync(path.join(outDir, "api-types.generated.ts"), renderTypes(spec, ROOT_MODELS, sha256));
  console.log(`wrote spec/cm-api-v45.json and api-types.generated.ts from ${source} (sha256 ${sha256})`);
}

if (require.main === module) {
  main();
}
