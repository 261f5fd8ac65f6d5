/**
 * Wall time of a real `pulumi preview` of the dev stack (6 nodes) and of a generated 60-node
 * config, each next to the engine's floor: the preview of an empty program in the form ours runs
 * (compiled JavaScript), measured in the same run. Targets: 6 nodes <= 1.5x the floor, 60 nodes
 * <= 3x. A fourth case, as many plain local commands as the 60-node stack has resources, shows
 * what the engine and the SDK take per resource whatever the program does.
 *
 *   npm run bench:preview [-- --runs 3]
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { copyProgram, linkNodeModules } from "./programCopy";
import { childEnv, REPO_ROOT } from "./pulumiEnv";

const runs = Number(process.argv[process.argv.indexOf("--runs") + 1]) || 3;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ecs-bench-preview-"));
const env = childEnv({ stateDir: path.join(tmp, "state"), examplePassphrase: true });

function pulumi(cwd: string, args: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync("pulumi", [...args, "--non-interactive"], { cwd, env, encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`pulumi ${args.join(" ")} failed in ${cwd}:\n${r.stdout}\n${r.stderr}`);
  return ms;
}

/**
 * A program in the form ours runs (compiled JavaScript, same node_modules) with no logic: empty,
 * any preview's floor; or `resources` plain local commands, what the engine and the SDK cost for
 * that many resources whatever the program does.
 */
function makeFloorProgram(name: string, resources = 0): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir);
  fs.writeFileSync(
    path.join(dir, "Pulumi.yaml"),
    `name: ${name}\nmain: index.js\nruntime:\n  name: nodejs\n  options:\n    typescript: false\n`,
  );
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name, main: "index.js" }));
  fs.writeFileSync(
    path.join(dir, "index.js"),
    [
      'const pulumi = require("@pulumi/pulumi");',
      'const command = require("@pulumi/command");',
      "delete Error.prepareStackTrace; // as index.ts does",
      `for (let i = 0; i < ${resources}; i++) new command.local.Command("c" + i, { create: "true" });`,
      "exports.stack = pulumi.getStack();",
    ].join("\n"),
  );
  linkNodeModules(dir);
  pulumi(dir, ["stack", "init", "bench", "--secrets-provider", "passphrase"]);
  return dir;
}

/** The dev stack's config with `count` nodes (servers: 5 for >= 10 nodes, else 3). */
function writeScaledConfig(dir: string, count: number): void {
  const doc = yaml.load(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.dev.yaml"), "utf8")) as {
    config: Record<string, unknown>;
  };
  const servers = count >= 10 ? 5 : 3;
  doc.config["ecs:openstack"] = { ...(doc.config["ecs:openstack"] as object), subnetCidr: "192.168.0.0/16" };
  // Servers need a host key (the etcd snapshot runs over SSH); the dev stack's first one serves.
  const hostKey = (doc.config["ecs:nodes"] as Array<{ sshHostKey?: string }>)[0].sshHostKey;
  doc.config["ecs:nodes"] = Array.from({ length: count }, (_, i) => ({
    name: `ds${String(i + 1).padStart(2, "0")}`,
    ip: `192.168.${8 + Math.floor((141 + i) / 250)}.${((141 + i) % 250) + 1}`,
    role: i < servers ? "server" : "agent",
    ...(i < servers ? { sshHostKey: hostKey } : {}),
  }));
  fs.writeFileSync(path.join(dir, `Pulumi.bench${count}.yaml`), yaml.dump(doc));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** How many resources a preview of the stack would create (the stack and providers not counted). */
function resourceCount(dir: string, stack: string): number {
  const r = spawnSync("pulumi", ["preview", "--json", "--stack", stack, "--non-interactive"], {
    cwd: dir,
    env,
    encoding: "utf8",
    maxBuffer: 1 << 28,
  });
  const steps = (JSON.parse(r.stdout) as { steps: Array<{ urn: string }> }).steps;
  return steps.filter((st) => !/::pulumi:(pulumi:Stack|providers:)/.test(st.urn)).length;
}

function main(): void {
  const empty = makeFloorProgram("empty");
  const program = copyProgram(path.join(tmp, "program"));
  writeScaledConfig(program, 60);
  pulumi(program, ["stack", "init", "dev", "--secrets-provider", "passphrase"]);
  pulumi(program, ["stack", "init", "bench60", "--secrets-provider", "passphrase"]);
  const count60 = resourceCount(program, "bench60");
  const plain60 = makeFloorProgram("plain", count60);

  const cases: Array<[string, () => number]> = [
    ["empty program (floor)", () => pulumi(empty, ["preview", "--stack", "bench"])],
    ["dev stack, 6 nodes", () => pulumi(program, ["preview", "--stack", "dev"])],
    ["generated, 60 nodes", () => pulumi(program, ["preview", "--stack", "bench60"])],
    [`${count60} plain commands`, () => pulumi(plain60, ["preview", "--stack", "bench"])],
  ];
  const times = new Map<string, number[]>(cases.map(([n]) => [n, []]));
  // Interleave the cases so machine load drifts affect all of them alike.
  for (let r = 0; r < runs; r++) {
    for (const [name, fn] of cases) times.get(name)!.push(fn());
  }
  const floor = median(times.get(cases[0][0])!);
  console.log(`pulumi preview wall time, median of ${runs} runs (interleaved)`);
  console.log("case                        median ms   x floor   target");
  const targets: Record<string, string> = { "dev stack, 6 nodes": "<= 1.5x", "generated, 60 nodes": "<= 3x" };
  for (const [name] of cases) {
    const m = median(times.get(name)!);
    console.log(
      `${name.padEnd(27)} ${m.toFixed(0).padStart(9)}   ${(m / floor).toFixed(2).padStart(7)}   ${targets[name] ?? ""}`,
    );
  }
  console.log(
    `(${count60} plain commands: as many resources as the 60-node stack, no logic; what the engine and SDK take for them)`,
  );
  fs.rmSync(tmp, { recursive: true, force: true });
}

main();
