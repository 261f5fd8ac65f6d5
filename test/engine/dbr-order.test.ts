import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { EngineStack, openStack, stepRecorder } from "../support/engine";

/**
 * The crux of the design (DESIGN.md, "Engine facts"): when a delete-before-replace resource is
 * replaced, every stage that depends on it through a replace-forcing input is deleted first, in
 * reverse dependency order, and recreated after it. Proven here with the real engine, a dynamic
 * provider and a real `command` resource.
 */
describe("engine: delete-before-replace cascade through a stage chain", function () {
  this.timeout(10 * 60_000);
  const workDir = path.join(__dirname, "fixtures", "dbr-chain");
  let env: EngineStack;
  let journal: string;

  const journalLines = () => fs.readFileSync(journal, "utf8").trim().split("\n");
  const resetJournal = () => fs.writeFileSync(journal, "");

  before(async () => {
    env = await openStack(workDir, "dbr");
    journal = path.join(env.tmp, "journal.log");
    resetJournal();
    await env.stack.setConfig("journal", { value: journal });
  });

  after(async () => {
    await env?.dispose();
  });

  it("creates the chain in dependency order", async () => {
    await env.stack.setConfig("generation", { value: "1" });
    const rec = stepRecorder();
    const res = await env.stack.up({ onEvent: rec.onEvent });
    assert.strictEqual(res.summary.result, "succeeded");
    assert.deepStrictEqual(journalLines(), [
      "create machine gen1",
      "create host machine@gen1",
      "create role",
      "create member " + (await env.stack.outputs()).memberId.value.replace(/^member@/, ""),
    ]);
    assert.deepStrictEqual(
      rec.steps.filter((s) => s.op === "create").map((s) => s.name),
      ["machine", "host", "role", "member"],
    );
  });

  it("shows the whole cascade in preview", async () => {
    await env.stack.setConfig("generation", { value: "2" });
    const rec = stepRecorder();
    const res = await env.stack.preview({ onEvent: rec.onEvent, diff: true });
    assert.strictEqual(res.changeSummary.replace, 4, res.stdout);
    assert.deepStrictEqual(
      rec.steps.filter((s) => s.op === "delete-replaced").map((s) => s.name),
      ["member", "role", "host", "machine"],
    );
  });

  it("deletes dependents first, then replaces the machine, then recreates them in order", async () => {
    resetJournal();
    const rec = stepRecorder();
    const res = await env.stack.up({ onEvent: rec.onEvent });
    assert.strictEqual(res.summary.result, "succeeded");
    const lines = journalLines();
    assert.deepStrictEqual(lines.slice(0, 4), [
      `delete member ${lines[0].split(" ")[2]}`,
      "delete role",
      "delete host machine@gen1",
      "delete machine gen1",
    ]);
    assert.deepStrictEqual(lines.slice(4, 7), [
      "create machine gen2",
      "create host machine@gen2",
      "create role",
    ]);
    assert.match(lines[7], /^create member /);
    assert.strictEqual(lines.length, 8);

    const order = rec.steps.filter((s) => s.op !== "same").map((s) => `${s.op} ${s.name}`);
    const at = (step: string) => {
      const i = order.indexOf(step);
      assert.ok(i >= 0, `missing step ${step} in ${order.join(", ")}`);
      return i;
    };
    assert.ok(at("delete-replaced member") < at("delete-replaced role"));
    assert.ok(at("delete-replaced role") < at("delete-replaced host"));
    assert.ok(at("delete-replaced host") < at("delete-replaced machine"));
    assert.ok(at("delete-replaced machine") < at("create-replacement machine"));
    assert.ok(at("create-replacement machine") < at("create-replacement host"));
    assert.ok(at("create-replacement host") < at("create-replacement role"));
    assert.ok(at("create-replacement role") < at("create-replacement member"));
  });

  it("destroys in reverse dependency order", async () => {
    resetJournal();
    const res = await env.stack.destroy();
    assert.strictEqual(res.summary.result, "succeeded");
    const lines = journalLines().map((l) => l.split(" ").slice(0, 2).join(" "));
    assert.deepStrictEqual(lines, ["delete member", "delete role", "delete host", "delete machine"]);
  });
});
