import { execFile } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { LabProcess } from "../kube/process";
import { StopWaiting, waitFor } from "../kube/wait";
import type { LabNode } from "./wiring";

/** How the program reaches the lab nodes over SSH (what `EcsLab.ssh` exposes). */
export interface LabSsh {
  port: number;
  user: "root";
  /** OpenSSH PEM text of the lab client key, the only key the nodes' sshd accept. */
  privateKey: string;
  /** Each node's host key by short name (ds01), authorized_keys form: "ssh-ed25519 AAAA...". */
  hostKeys: Record<string, string>;
}

export interface LabSshd {
  ssh: LabSsh;
  /** The client key file (mode 0600), for `ssh -i`. */
  privateKeyFile: string;
  /** known_hosts with the six nodes' host keys, for `ssh -o UserKnownHostsFile=`. */
  knownHostsFile: string;
  stop(): Promise<void>;
}

export interface SshdOptions {
  /** Lab directory; keys, sshd_config files and logs go to <dir>/ssh. */
  dir: string;
  nodes: LabNode[];
  /** Default: $ECS_LAB_SSH_PORT, else 22. */
  port?: number;
  /** URL of the lab's node agent, given to every session (SetEnv ECS_LAB_AGENT_URL). */
  agentUrl: string;
}

const INSTALL_HINT = "apt-get install -y openssh-server";

/** The real OpenSSH server, wherever the distribution puts it (it must be run by absolute path). */
function findBinary(name: string, dirs: string[]): string | undefined {
  const pathDirs = (process.env.PATH ?? "").split(":").filter((d) => d);
  for (const d of [...dirs, ...pathDirs]) {
    const p = path.join(d, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // next
    }
  }
  return undefined;
}

export function sshPort(port?: number): number {
  const fromEnv = process.env.ECS_LAB_SSH_PORT;
  const p = port ?? (fromEnv ? Number(fromEnv) : 22);
  if (!Number.isInteger(p) || p < 1 || p > 65535) {
    throw new Error(`ECS_LAB_SSH_PORT=${fromEnv}: not a TCP port (1-65535)`);
  }
  return p;
}

/**
 * What the lab's sshd needs, checked before anything starts so the lab fails fast with the fix:
 * OpenSSH installed, root (sessions log in as root; port 22 is privileged), nothing on the port.
 */
export async function sshdPreflight(
  nodes: LabNode[],
  port: number,
): Promise<{ sshd: string; keygen: string }> {
  const sshd = findBinary("sshd", ["/usr/sbin", "/usr/local/sbin", "/sbin"]);
  const keygen = findBinary("ssh-keygen", ["/usr/bin", "/usr/local/bin", "/bin"]);
  if (!sshd || !keygen) {
    throw new Error(
      `the lab runs one OpenSSH sshd per node, but ${sshd ? "ssh-keygen" : "sshd"} is not installed. Fix: ${INSTALL_HINT}`,
    );
  }
  if (process.getuid?.() !== 0) {
    throw new Error(
      "the lab's sshd must run as root: its sessions log in as root and act on the node as RKE2's scripts do " +
        `(and port ${port} may be privileged). Run the lab as root`,
    );
  }
  if (rootAccountLocked()) {
    throw new Error(
      "root's account is locked (its /etc/shadow password field starts with '!'); the lab's sshd (UsePAM no) " +
        "refuses key logins to a locked account. Fix: usermod -p '*' root (no password, key logins allowed)",
    );
  }
  const taken = (
    await Promise.all(nodes.map(async (n) => ((await answers(n.ip, port)) ? `${n.ip}:${port}` : undefined)))
  ).filter((x): x is string => x !== undefined);
  if (taken.length > 0) throw new Error(portInUse(taken, port));
  return { sshd, keygen };
}

function portInUse(where: string[], port: number): string {
  return (
    `${where.join(", ")} already taken: something listens there, e.g. the system's sshd on 0.0.0.0:${port} ` +
    `(see: ss -ltnp 'sport = :${port}'). Stop it (service ssh stop, or kill that sshd), ` +
    `or give the lab another port: ECS_LAB_SSH_PORT=2222`
  );
}

function rootAccountLocked(): boolean {
  try {
    const line = fs
      .readFileSync("/etc/shadow", "utf8")
      .split("\n")
      .find((l) => l.startsWith("root:"));
    return (line?.split(":")[1] ?? "").startsWith("!");
  } catch {
    return false;
  }
}

/** Whether something accepts TCP connections on ip:port (loopback: refused at once when not). */
function answers(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: ip, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(1000, () => done(false));
    s.once("connect", () => done(true));
    s.once("error", () => done(false));
  });
}

/** The SSH identification line a server sends first, or undefined if none answers. */
function banner(ip: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const s = net.connect({ host: ip, port });
    let data = "";
    const done = (v: string | undefined) => {
      s.destroy();
      resolve(v);
    };
    s.setTimeout(2000, () => done(undefined));
    s.on("data", (chunk: Buffer) => {
      data += chunk.toString("latin1");
      if (data.includes("\n")) done(data.split(/\r?\n/)[0]);
    });
    s.once("error", () => done(undefined));
  });
}

function run(file: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile(file, args, (err, _stdout, stderr) =>
      err
        ? reject(new Error(`${path.basename(file)} ${args.join(" ")}: ${stderr || err.message}`))
        : resolve(),
    ),
  );
}

/** An ed25519 key pair at `file` / `file.pub`, kept if both exist (stable host keys across lab restarts). */
async function keyPair(keygen: string, file: string, comment: string): Promise<void> {
  if (fs.existsSync(file) && fs.existsSync(`${file}.pub`)) return;
  fs.rmSync(file, { force: true });
  fs.rmSync(`${file}.pub`, { force: true });
  await run(keygen, ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", file]);
}

/** "ssh-ed25519 AAAA..." without the comment. */
function publicKey(file: string): string {
  return fs.readFileSync(file, "utf8").trim().split(/\s+/).slice(0, 2).join(" ");
}

function sshdConfig(o: {
  ip: string;
  port: number;
  hostKey: string;
  authorizedKeys: string;
  node: string;
  agentUrl: string;
}): string {
  return [
    "# ECS lab: the sshd of one lab node (lab/ecs/sshd.ts); rewritten at every lab start",
    `ListenAddress ${o.ip}:${o.port}`,
    `HostKey ${o.hostKey}`,
    "PidFile none",
    `AuthorizedKeysFile ${o.authorizedKeys}`,
    "StrictModes no",
    "UsePAM no",
    "PermitRootLogin prohibit-password",
    "AllowUsers root",
    "PubkeyAuthentication yes",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "UseDNS no",
    "PrintMotd no",
    "PrintLastLog no",
    "X11Forwarding no",
    "Subsystem sftp internal-sftp",
    // The session learns which lab node it is on from its environment (nothing sent by the client).
    `SetEnv ECS_LAB_NODE=${o.node} ECS_LAB_AGENT_URL=${o.agentUrl}`,
    "",
  ].join("\n");
}

/**
 * One real OpenSSH sshd per lab node, on the node's address (127.0.8.141-146) and the lab's SSH
 * port, each with its own ed25519 host key; the lab client key is the only authorized key.
 */
export async function startLabSshd(o: SshdOptions): Promise<LabSshd> {
  const port = sshPort(o.port);
  const { sshd, keygen } = await sshdPreflight(o.nodes, port);
  const dir = path.resolve(o.dir, "ssh");
  if (/\s/.test(dir))
    throw new Error(`the lab directory ${dir} contains white space, which sshd_config cannot take`);
  const logDir = path.join(dir, "logs");
  fs.mkdirSync(logDir, { recursive: true, mode: 0o700 });
  // Debian's sshd wants its privilege separation directory (systemd would create it).
  fs.mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });

  const clientKey = path.join(dir, "id_ed25519");
  await Promise.all([
    keyPair(keygen, clientKey, "ecs-lab-client"),
    ...o.nodes.map((n) => {
      fs.mkdirSync(path.join(dir, n.name), { recursive: true, mode: 0o700 });
      return keyPair(keygen, path.join(dir, n.name, "ssh_host_ed25519_key"), `root@${n.hostname}`);
    }),
  ]);
  const authorizedKeys = path.join(dir, "authorized_keys");
  fs.writeFileSync(authorizedKeys, `${publicKey(`${clientKey}.pub`)} ecs-lab-client\n`, { mode: 0o600 });

  const processes = o.nodes.map((n) => {
    const config = path.join(dir, n.name, "sshd_config");
    fs.writeFileSync(
      config,
      sshdConfig({
        ip: n.ip,
        port,
        hostKey: path.join(dir, n.name, "ssh_host_ed25519_key"),
        authorizedKeys,
        node: n.name,
        agentUrl: o.agentUrl,
      }),
      { mode: 0o600 },
    );
    return { node: n, p: new LabProcess(`sshd-${n.name}`, sshd, ["-D", "-e", "-f", config], logDir) };
  });
  const stop = async () => {
    await Promise.all(processes.map(({ p }) => p.stop()));
  };
  try {
    for (const { p } of processes) p.start();
    await Promise.all(
      processes.map(({ node, p }) =>
        waitFor(
          `sshd of ${node.name} on ${node.ip}:${port}`,
          async () => {
            if (p.exited !== undefined) throw new SshdFailed(sshdFailure(node, port, p));
            const b = await banner(node.ip, port);
            return b?.startsWith("SSH-2.0-") ? true : undefined;
          },
          20_000,
          100,
        ).catch((e: Error) => {
          throw e instanceof SshdFailed ? e : new Error(`${e.message}; its log: ${p.logFile}\n${p.tail()}`);
        }),
      ),
    );
  } catch (e) {
    await stop();
    throw e;
  }

  const hostKeys = Object.fromEntries(
    o.nodes.map((n) => [n.name, publicKey(path.join(dir, n.name, "ssh_host_ed25519_key.pub"))]),
  );
  const knownHostsFile = path.join(dir, "known_hosts");
  fs.writeFileSync(
    knownHostsFile,
    o.nodes.map((n) => `${port === 22 ? n.ip : `[${n.ip}]:${port}`} ${hostKeys[n.name]}\n`).join(""),
  );
  return {
    ssh: { port, user: "root", privateKey: fs.readFileSync(clientKey, "utf8"), hostKeys },
    privateKeyFile: clientKey,
    knownHostsFile,
    stop,
  };
}

class SshdFailed extends StopWaiting {}

/** Why an sshd exited, in the words an operator needs (its log says "Bind to port ... failed"). */
function sshdFailure(node: LabNode, port: number, p: LabProcess): string {
  const tail = p.tail();
  const head = `the sshd of lab node ${node.name} (${node.ip}:${port}) exited (${p.exited})`;
  if (/Address already in use/i.test(tail))
    return `${head}: ${portInUse([`${node.ip}:${port}`], port)}\n${tail}`;
  if (/Permission denied/i.test(tail)) {
    return `${head}: no permission to bind ${node.ip}:${port} (not root?). Run the lab as root, or ECS_LAB_SSH_PORT=2222\n${tail}`;
  }
  return `${head}; its log (${p.logFile}):\n${tail}`;
}
