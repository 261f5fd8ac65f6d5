/**
 * npm run lab:up | lab:down | lab:status | lab:fail -- <node> [power-off|finalizer-hang|cm-5xx|snapshot-fail]
 * The lab runs as one background process; its directory is .cache/lab (ECS_LAB_DIR to change).
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../../tools/pulumiEnv";

const dir = path.resolve(process.env.ECS_LAB_DIR ?? path.join(REPO_ROOT, ".cache", "lab"));
const infoFile = path.join(dir, "lab.json");

interface LabInfo {
  pid: number;
  control: string;
  kubeconfig: string;
  sshPort: number;
}

function running(): LabInfo | undefined {
  if (!fs.existsSync(infoFile)) return undefined;
  const info = JSON.parse(fs.readFileSync(infoFile, "utf8")) as LabInfo;
  try {
    process.kill(info.pid, 0);
    return info;
  } catch {
    return undefined;
  }
}

async function up(): Promise<void> {
  if (running()) {
    console.log(`the lab is already running (${infoFile})`);
    return status();
  }
  fs.mkdirSync(dir, { recursive: true });
  fs.rmSync(infoFile, { force: true });
  const logFile = path.join(dir, "lab.log");
  const out = fs.openSync(logFile, "w");
  const child = spawn(
    process.execPath,
    ["-r", "ts-node/register/transpile-only", path.join(__dirname, "daemon.ts"), dir],
    {
      cwd: REPO_ROOT,
      detached: true,
      stdio: ["ignore", out, out],
    },
  );
  child.unref();
  const started = Date.now();
  console.log(
    `starting the lab (OpenStack, Cloudera Manager and Kubernetes simulators on 127.0.0.1, one sshd per node on 127.0.8.141-146); log: ${logFile}`,
  );
  while (!running()) {
    if (child.exitCode !== null || Date.now() - started > 180_000) {
      throw new Error(
        `the lab did not start; see ${logFile}:\n${fs.readFileSync(logFile, "utf8").slice(-2000)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  console.log(`lab ready in ${((Date.now() - started) / 1000).toFixed(1)} s; stack "lab" points at it.`);
  const info = running()!;
  const ssh = path.join(dir, "ssh");
  console.log(`  kubectl --kubeconfig ${info.kubeconfig} get nodes`);
  console.log(
    `  ssh -i ${ssh}/id_ed25519 -o UserKnownHostsFile=${ssh}/known_hosts${info.sshPort === 22 ? "" : ` -p ${info.sshPort}`} root@127.0.8.141   # ds01`,
  );
  console.log("  npm run pulumi -- up --stack lab      # create the six nodes' VMs, CM hosts and roles");
}

function down(): void {
  const info = running();
  if (!info) return console.log("no lab is running");
  process.kill(info.pid, "SIGTERM");
  console.log("lab stopped");
}

async function control(pathAndQuery: string, method = "GET"): Promise<string> {
  const info = running();
  if (!info) throw new Error("no lab is running. Fix: npm run lab:up");
  const res = await fetch(`${info.control}${pathAndQuery}`, { method });
  const text = await res.text();
  if (!res.ok) throw new Error(text.trim());
  return text;
}

async function status(): Promise<void> {
  process.stdout.write(await control("/status"));
}

async function fail(node: string | undefined, kind = "power-off"): Promise<void> {
  if (!node)
    throw new Error("usage: npm run lab:fail -- <node> [power-off|finalizer-hang|cm-5xx|snapshot-fail]");
  process.stdout.write(
    await control(`/fail?node=${encodeURIComponent(node)}&kind=${encodeURIComponent(kind)}`, "POST"),
  );
}

const [cmd, ...args] = process.argv.slice(2);
const commands: Record<string, () => Promise<void> | void> = {
  up,
  down,
  status,
  fail: () => fail(args[0], args[1]),
};
Promise.resolve()
  .then(() => {
    const run = commands[cmd ?? ""];
    if (!run) throw new Error(`usage: lab up|down|status|fail <node> [kind]`);
    return run();
  })
  .catch((e: Error) => {
    console.error(`error: ${e.message}`);
    process.exitCode = 1;
  });
