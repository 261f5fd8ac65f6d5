import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT } from "../../tools/pulumiEnv";

/**
 * The compiled guard itself (bin/, built by `npm run build`), in a small project of its own: it
 * runs when the sources match the stamp and refuses, naming the fix, once one of them changed.
 */
describe("compiled program: refuses code older than its sources", () => {
  let root: string;
  const guard = path.join("bin", "components", "compiledProgram.js");
  const run = (...args: string[]) => spawnSync(process.execPath, args, { cwd: root, encoding: "utf8" });
  const check = () => run("-e", `require(${JSON.stringify(path.join(root, guard))}).assertCompiledCurrent()`);

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "ecs-compiled-"));
    fs.mkdirSync(path.join(root, "components", "kube"), { recursive: true });
    fs.mkdirSync(path.join(root, "bin", "components"), { recursive: true });
    fs.copyFileSync(path.join(REPO_ROOT, guard), path.join(root, guard));
    for (const f of ["index.ts", "tsconfig.json", "tsconfig.build.json", "components/kube/stage.ts"])
      fs.writeFileSync(path.join(root, f), `// ${f}\n`);
    fs.writeFileSync(path.join(root, "components", "README.md"), "not a source\n");
    assert.strictEqual(run(guard, "stamp").status, 0);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it("runs when the stamp matches the sources (other files do not count)", () => {
    fs.writeFileSync(path.join(root, "components", "README.md"), "edited\n");
    const r = check();
    assert.strictEqual(r.status, 0, r.stderr);
  });

  for (const [what, change] of [
    [
      "a stage script edited",
      (r: string) => fs.appendFileSync(path.join(r, "components/kube/stage.ts"), "x;\n"),
    ],
    ["a source added", (r: string) => fs.writeFileSync(path.join(r, "components/new.ts"), "\n")],
    ["index.ts edited", (r: string) => fs.appendFileSync(path.join(r, "index.ts"), "x;\n")],
  ] as const) {
    it(`refuses with the fix when ${what} after the build`, () => {
      change(root);
      const r = check();
      assert.notStrictEqual(r.status, 0);
      assert.match(
        r.stderr,
        /was built from other sources than the TypeScript in .*Nothing was run\. Fix: run `npm run build`/,
      );
    });
  }

  it("refuses a build without a stamp", () => {
    fs.rmSync(path.join(root, "bin", ".source-digest"));
    assert.match(check().stderr, /has no source digest for the TypeScript/);
  });
});
