import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { privateTempDir } from "./context";
import { toolEnv } from "./kubectl";
import { ClusterNode, PeerSsh } from "./stageEnv";

export interface SshResult {
  status: number;
  stdout: string;
  stderr: string;
}

interface SshInvocation {
  args: string[];
  /** The private directory holding the key and known_hosts; removed when the run ends. */
  dir: string;
}

/**
 * How a script reaches a node with the system's OpenSSH client, as an operator would: only
 * against the node's configured host key, with the stack's private key (a private temporary file,
 * removed afterwards), the script on stdin (never on a command line), as root or through `sudo -n`.
 */
function sshInvocation(ssh: PeerSsh, node: ClusterNode): SshInvocation {
  if (!node.sshHostKey)
    throw new Error(
      `ecs:nodes (${node.name}).sshHostKey is not set, so ${node.name} cannot be reached over SSH safely`,
    );
  const dir = privateTempDir("ssh");
  const key = path.join(dir, "id");
  const knownHosts = path.join(dir, "known_hosts");
  fs.writeFileSync(key, ssh.privateKey.endsWith("\n") ? ssh.privateKey : `${ssh.privateKey}\n`, {
    mode: 0o600,
  });
  const hostPattern = ssh.port === 22 ? node.ip : `[${node.ip}]:${ssh.port}`;
  fs.writeFileSync(knownHosts, `${hostPattern} ${node.sshHostKey}\n`, { mode: 0o600 });
  return {
    dir,
    args: [
      ...["-i", key, "-p", String(ssh.port)],
      ...["-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=yes"],
      ...["-o", `UserKnownHostsFile=${knownHosts}`, "-o", "GlobalKnownHostsFile=/dev/null"],
      ...[
        "-o",
        `ConnectTimeout=${ssh.dialTimeoutSec}`,
        "-o",
        "LogLevel=ERROR",
        "-o",
        "ServerAliveInterval=15",
      ],
      `${ssh.user}@${node.ip}`,
      ssh.user === "root" ? "sh -s" : "sudo -n sh -s",
    ],
  };
}

const sshBinary = () => process.env.ECS_SSH_BINARY ?? "ssh";

/** Runs a shell script on a node over SSH (see sshInvocation) and waits for it. */
export function sshScript(ssh: PeerSsh, node: ClusterNode, script: string, timeoutSec: number): SshResult {
  const inv = sshInvocation(ssh, node);
  try {
    const r = spawnSync(sshBinary(), inv.args, {
      input: script,
      encoding: "utf8",
      timeout: timeoutSec * 1000,
      maxBuffer: 16 * 1024 * 1024,
      env: toolEnv(),
    });
    if (r.error) throw new Error(`ssh to ${node.name} (${node.ip}): ${r.error.message}`);
    return { status: r.status ?? 255, stdout: r.stdout, stderr: r.stderr };
  } finally {
    fs.rmSync(inv.dir, { recursive: true, force: true });
  }
}

/** The same without blocking the event loop (a long-running tool that serves or samples meanwhile). */
export async function sshScriptAsync(
  ssh: PeerSsh,
  node: ClusterNode,
  script: string,
  timeoutSec: number,
): Promise<SshResult> {
  const inv = sshInvocation(ssh, node);
  try {
    return await new Promise<SshResult>((resolve, reject) => {
      const child = spawn(sshBinary(), inv.args, { env: toolEnv(), stdio: ["pipe", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutSec * 1000);
      child.on("error", (e) => {
        clearTimeout(timer);
        reject(new Error(`ssh to ${node.name} (${node.ip}): ${e.message}`));
      });
      child.on("close", (code, signal) => {
        clearTimeout(timer);
        resolve({ status: code ?? 255, stdout, stderr: signal ? `${stderr}killed by ${signal}` : stderr });
      });
      child.stdin.end(script);
    });
  } finally {
    fs.rmSync(inv.dir, { recursive: true, force: true });
  }
}
