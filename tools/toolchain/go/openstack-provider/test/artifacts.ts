// Where build.sh put the plugin and its schema (override with OPENSTACK_TOOLCHAIN_DIR).
import * as fs from "fs";
import * as path from "path";

export const toolchainDir =
  process.env.OPENSTACK_TOOLCHAIN_DIR ??
  path.join(process.env.HOME ?? "/root", ".cache/ecs-pulumi/toolchain/openstack-3.15.2");
export const pluginBinary = path.join(toolchainDir, "bin", "pulumi-resource-openstack");
export const schemaFile = path.join(toolchainDir, "schema", "schema.json");

/** Skips the calling test (with the reason) when build.sh has not produced `file` yet. */
export function requireArtifact(ctx: Mocha.Context, file: string): void {
  if (!fs.existsSync(file)) {
    console.warn(
      `    (skipped: ${file} missing; run tools/toolchain/go/openstack-provider/build.sh ${path.dirname(pluginBinary)})`,
    );
    ctx.skip();
  }
}
