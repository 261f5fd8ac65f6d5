// Writes mapping/sdk-tokens.json: the resource and function tokens of the installed
// @pulumi/openstack SDK, which the Go mapping embeds to name Terraform resources the same way.
// Usage: node -r ts-node/register/transpile-only scripts/write-sdk-tokens.ts [out-file]
import * as fs from "fs";
import * as path from "path";
import { listSdkTokens, sdkRoot } from "./sdk-surface";

const out = process.argv[2] ?? path.join(__dirname, "..", "mapping", "sdk-tokens.json");
const sdkVersion = (
  JSON.parse(fs.readFileSync(path.join(sdkRoot(), "package.json"), "utf8")) as { version: string }
).version;
const tokens = listSdkTokens();
fs.writeFileSync(out, JSON.stringify({ sdkVersion, ...tokens }, null, 2) + "\n");
console.log(
  `[toolchain] openstack: ${tokens.resources.length} resource and ${tokens.functions.length} function tokens of @pulumi/openstack@${sdkVersion} -> ${out}`,
);
