/**
 * The lab process behind `npm run lab:up`: starts the lab, points the `lab` stack at it, and
 * serves a small control API on loopback for lab:status and lab:fail until lab:down.
 */
import { spawnSync } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as path from "path";
import { childEnv, REPO_ROOT } from "../../tools/pulumiEnv";
import { startEcsLab } from "./index";
import { labStatus, renderStatus } from "./status";
import { labStackConfig } from "./stackConfig";

async function main(dir: string): Promise<void> {
  const log = (m: string) => console.log(`${new Date().toISOString()} ${m}`);
  // Lab-only credentials, new each time, never real ones.
  const openstackPassword = randomBytes(12).toString("hex");
  const cmPassword = randomBytes(12).toString("hex");
  const lab = await startEcsLab({ dir, openstackPassword, cmPassword, log });

  // The `lab` stack of the program, pointed at this lab (file backend under .cache/).
  const env = childEnv({ examplePassphrase: true }); // the lab stack is an example stack
  const pulumi = (args: string[]) => {
    const r = spawnSync("pulumi", [...args, "--stack", "lab", "--non-interactive"], {
      cwd: REPO_ROOT,
      env,
      encoding: "utf8",
    });
    if (r.status !== 0) throw new Error(`pulumi ${args[0]} failed: ${r.stderr}`);
  };
  // A new lab holds no resources, so the lab stack starts empty too (its old state described the last lab).
  spawnSync("pulumi", ["stack", "rm", "lab", "--force", "--yes", "--non-interactive"], {
    cwd: REPO_ROOT,
    env,
  });
  spawnSync("pulumi", ["stack", "init", "lab", "--secrets-provider", "passphrase", "--non-interactive"], {
    cwd: REPO_ROOT,
    env,
  });
  const config = labStackConfig({
    openstack: lab.openstack,
    openstackPassword,
    cmUrl: lab.cm.url,
    cmPassword,
    cmCaFile: lab.cmCaFile,
    kubeconfig: lab.kube.kubeconfig,
    runRecordDir: path.join(dir, "run-records"),
    ssh: lab.ssh,
  });
  pulumi(["config", "set-all", "--json", JSON.stringify(config)]);

  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://lab");
      try {
        if (url.pathname === "/status") {
          res.end(renderStatus(await labStatus(lab)));
        } else if (url.pathname === "/fail" && req.method === "POST") {
          res.end(
            await fail(url.searchParams.get("node") ?? "", url.searchParams.get("kind") ?? "power-off"),
          );
        } else {
          res.statusCode = 404;
          res.end("unknown lab command\n");
        }
      } catch (e) {
        res.statusCode = 400;
        res.end(`${(e as Error).message}\n`);
      }
    })();
  });

  async function fail(node: string, kind: string): Promise<string> {
    const n = lab.nodes.find((x) => x.name === node);
    if (!n) throw new Error(`no lab node ${node}; use one of ${lab.nodes.map((x) => x.name).join(", ")}`);
    if (kind === "power-off") {
      const vm = lab.openstack.snapshot().servers.find((s) => s.name === node);
      if (!vm) throw new Error(`${node} has no VM yet; run pulumi up on the lab stack first`);
      lab.openstack.faults.crashServer(vm.id);
      return `${node}: powered off (no API call; Kubernetes and CM will notice)\n`;
    }
    if (kind === "finalizer-hang") {
      lab.rke2.hangFinalizer.add(n.hostname);
      return `${node}: the etcd finalizer will hang when its Node is deleted\n`;
    }
    if (kind === "cm-5xx") {
      lab.cm.faults.serverErrors = { count: 3, status: 503 };
      return "CM: the next 3 requests get 503\n";
    }
    if (kind === "snapshot-fail") {
      lab.wiring.failSnapshots(node, "injected by lab:fail snapshot-fail");
      return `${node}: rke2 etcd-snapshot save fails until the lab restarts\n`;
    }
    throw new Error(`unknown fault ${kind}; use power-off, finalizer-hang, cm-5xx or snapshot-fail`);
  }

  server.listen(0, "127.0.0.1", () => {
    const { port } = server.address() as AddressInfo;
    fs.writeFileSync(
      path.join(dir, "lab.json"),
      JSON.stringify(
        {
          pid: process.pid,
          control: `http://127.0.0.1:${port}`,
          kubeconfig: lab.kube.kubeconfig,
          sshPort: lab.ssh.port,
        },
        null,
        2,
      ),
    );
    log(`lab ready: control http://127.0.0.1:${port}, kubeconfig ${lab.kube.kubeconfig}`);
  });
  const shutdown = async () => {
    server.close();
    await lab.stop();
    fs.rmSync(path.join(dir, "lab.json"), { force: true });
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown());
  process.on("SIGINT", () => void shutdown());
}

main(process.argv[2]).catch((e: Error) => {
  console.error(`lab failed to start: ${e.message}`);
  process.exit(1);
});
