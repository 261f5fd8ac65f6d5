// Resolves a module (e.g. "@pulumi/pulumi/cmd/run") the way `require.resolve` would from inside the
// program directory, so the program runs with its own copy of @pulumi/pulumi. Done in-process with
// createRequire instead of spawning `node -e` as the Go host does: same resolution, no extra process.
import * as path from "path";
import { createRequire } from "module";

export function locateModule(moduleName: string, fromDirectory: string, isPlugin: boolean): string {
  const resolveFrom = createRequire(path.join(path.resolve(fromDirectory), "__pulumi_language_host__.js"));
  try {
    return resolveFrom.resolve(moduleName);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND") {
      const install = isPlugin ? `npm install in ${fromDirectory}` : "pulumi install";
      throw new Error(`It looks like the Pulumi SDK has not been installed. Have you run ${install}?`);
    }
    throw err;
  }
}
