/**
 * The program and its stage scripts run as compiled JavaScript from `bin/` (`npm run build`, part
 * of `npm run toolchain`): ts-node would cost about a second per stage start and per run. A digest
 * of the sources, written next to the output, lets a run refuse code older than the checkout
 * instead of quietly running it.
 *
 *   node bin/components/compiledProgram.js stamp     (after tsc: records the sources' digest)
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

/** What the compiled output is made of (tsconfig.build.json's inputs). */
const SOURCES = ["index.ts", "components", "tsconfig.json", "tsconfig.build.json"];
const STAMP = ".source-digest";

function sourceFiles(root: string, rel: string): string[] {
  // A missing source counts as a change (its absence changes the digest), not as a crash.
  if (!fs.existsSync(path.join(root, rel))) return [];
  if (!fs.statSync(path.join(root, rel)).isDirectory()) return [rel];
  return fs
    .readdirSync(path.join(root, rel), { withFileTypes: true })
    .filter((e) => e.isDirectory() || e.name.endsWith(".ts"))
    .map((e) => e.name)
    .sort()
    .flatMap((f) => sourceFiles(root, path.join(rel, f)));
}

/** sha256 over every source file's path and content, in a fixed order. */
export function sourceDigest(root: string): string {
  const h = createHash("sha256");
  for (const f of SOURCES.flatMap((s) => sourceFiles(root, s))) {
    h.update(`${f}\0`);
    h.update(fs.readFileSync(path.join(root, f)));
    h.update("\0");
  }
  return h.digest("hex");
}

/** <root>/bin, whether this module runs compiled (bin/components/) or as TypeScript (components/). */
export const COMPILED_DIR = path.resolve(__dirname, "..", ...(__filename.endsWith(".js") ? [] : ["bin"]));

let verified = false;

/**
 * Refuses to run compiled code that does not match the sources beside it (an edit or a checkout
 * after the last build): the stages would run yesterday's code. The program calls it at start; the
 * stage scripts and the dynamic stages' loader call it too, since a delete runs without the program
 * (`pulumi destroy`). No-op when run from TypeScript.
 */
export function assertCompiledCurrent(): void {
  if (verified || !__filename.endsWith(".js")) return;
  const root = path.dirname(COMPILED_DIR);
  const stamp = path.join(COMPILED_DIR, STAMP);
  const built = fs.existsSync(stamp) ? fs.readFileSync(stamp, "utf8").trim() : "";
  // Hashed once per process: the provider host asks on every call.
  verified = built === sourceDigest(root);
  if (verified) return;
  throw new Error(
    `the compiled program in ${COMPILED_DIR} ${built ? "was built from other sources than" : "has no source digest for"} ` +
      `the TypeScript in ${root} (edited or checked out since the last build). Nothing was run. ` +
      "Fix: run `npm run build` (the toolchain step `npm run toolchain` does it too), then run pulumi again.",
  );
}

if (require.main === module && process.argv[2] === "stamp") {
  fs.writeFileSync(path.join(COMPILED_DIR, STAMP), `${sourceDigest(path.dirname(COMPILED_DIR))}\n`);
}
