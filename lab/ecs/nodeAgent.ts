import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as path from "path";
import { LabRefusal, type LabWiring } from "./wiring";

/** Where the ECS parcel keeps RKE2's scripts on a real node; the lab installs its own there. */
export const ECS_BIN_DIR = "/opt/cloudera/parcels/ECS/bin";
export const RKE2_SCRIPTS = ["rke2-killall.sh", "rke2-uninstall.sh", "rke2"] as const;
export type Rke2Script = (typeof RKE2_SCRIPTS)[number];

/**
 * The lab's node agent: what a node's own shell would do to its RKE2, served on 127.0.0.1 for the
 * lab's RKE2 scripts. `POST /nodes/<ds01>/rke2-killall` | `/rke2-uninstall` |
 * `/etcd-snapshot-save?name=<n>` | `/etcd-snapshot-list`; answers text lines, 200 when done, 4xx
 * with the reason when the lab refuses (unknown node, VM not running, no etcd member).
 * `GET /nodes/<ds01>/rke2` answers the node's RKE2 state as JSON.
 */
export interface NodeAgent {
  url: string;
  /** Set once the lab is wired; until then the agent answers 503. */
  attach(wiring: LabWiring): void;
  stop(): Promise<void>;
}

export async function startNodeAgent(): Promise<NodeAgent> {
  let wiring: LabWiring | undefined;
  const server = http.createServer((req, res) => {
    const reply = (status: number, text: string, type = "text/plain; charset=utf-8") => {
      res.writeHead(status, { "content-type": type });
      res.end(text.endsWith("\n") ? text : `${text}\n`);
    };
    const url = new URL(req.url ?? "/", "http://agent");
    const m =
      /^\/nodes\/([a-z0-9-]+)\/(rke2|rke2-killall|rke2-uninstall|etcd-snapshot-save|etcd-snapshot-list)$/.exec(
        url.pathname,
      );
    if (!m) return reply(404, `unknown node agent path ${req.url}`);
    if (!wiring) return reply(503, "the lab is still starting; try again in a few seconds");
    const [, node, what] = m;
    const w = wiring;
    try {
      if (what === "rke2" && req.method === "GET") {
        return reply(200, JSON.stringify(w.rke2State(node)), "application/json");
      }
      if (req.method !== "POST") return reply(405, `${what} wants POST`);
      const actions: Record<string, () => string[]> = {
        "rke2-killall": () => w.killall(node),
        "rke2-uninstall": () => w.uninstall(node),
        "etcd-snapshot-save": () => w.snapshotSave(node, url.searchParams.get("name") || "on-demand"),
        "etcd-snapshot-list": () => w.snapshotList(node),
      };
      return reply(200, actions[what]().join("\n"));
    } catch (e) {
      return reply(e instanceof LabRefusal ? e.status : 500, (e as Error).message);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    attach: (w) => (wiring = w),
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** What each script does, and the bash that picks the node agent path ($url_path) from its arguments. */
const SCRIPT_ACTIONS: Record<Rke2Script, { what: string[]; pick: string }> = {
  "rke2-killall.sh": {
    what: ["stop RKE2's processes (the node's kubelet goes silent)"],
    pick: 'url_path="/nodes/$node/rke2-killall"',
  },
  "rke2-uninstall.sh": {
    what: ["stop RKE2 and wipe its RKE2 and etcd data"],
    pick: 'url_path="/nodes/$node/rke2-uninstall"',
  },
  rke2: {
    what: [
      "etcd-snapshot save [--name N]: save an etcd snapshot (server with an etcd member only)",
      "etcd-snapshot list|ls: list this node's snapshots",
    ],
    pick: `case "\${1:-} \${2:-}" in
  "etcd-snapshot save")
    name=on-demand
    shift 2
    while [ $# -gt 0 ]; do
      case "$1" in
        --name) name=\${2:-}; shift 2 ;;
        --name=*) name=\${1#--name=}; shift ;;
        *) echo "$me: etcd-snapshot save: option $1 is not emulated by the ECS lab" >&2; exit 1 ;;
      esac
    done
    url_path="/nodes/$node/etcd-snapshot-save?name=$name" ;;
  "etcd-snapshot list"|"etcd-snapshot ls") url_path="/nodes/$node/etcd-snapshot-list" ;;
  *) echo "$me $*: not emulated by the ECS lab (only etcd-snapshot save|list)" >&2; exit 1 ;;
esac`,
  },
};

/**
 * The lab's edition of an RKE2 script: generic, it acts on the node named by the SSH session
 * (sshd_config SetEnv ECS_LAB_NODE, ECS_LAB_AGENT_URL) through the node agent. curl when present,
 * else bash's /dev/tcp (a fresh Debian 12 has bash, not always curl).
 */
export function rke2ScriptText(script: Rke2Script): string {
  const { what, pick } = SCRIPT_ACTIONS[script];
  return `#!/bin/bash
# ${script}: ECS embedded-lab edition, installed by ecs-pulumi (lab/ecs/nodeAgent.ts), not Cloudera's.
# On a lab node's SSH session it asks the lab to do to that node what the real one does:
${what.map((w) => `#   ${w}`).join("\n")}
set -u
me=${script}
node=\${ECS_LAB_NODE:-}
agent=\${ECS_LAB_AGENT_URL:-}
if [ -z "$node" ] || [ -z "$agent" ]; then
  echo "$me: not on an ECS lab node (ECS_LAB_NODE / ECS_LAB_AGENT_URL unset: run it in an SSH session on a lab node)" >&2
  exit 2
fi
${pick}
if [ "\${ECS_LAB_HTTP:-}" != "devtcp" ] && command -v curl >/dev/null 2>&1; then
  out=$(curl -sS -X POST --max-time 60 -w '\\n%{http_code}' "$agent$url_path") || {
    echo "$me: cannot reach the lab's node agent at $agent (is the lab running?)" >&2
    exit 1
  }
  code=\${out##*$'\\n'}
  body=\${out%$'\\n'*}
else
  hostport=\${agent#http://}
  hostport=\${hostport%%/*}
  if ! exec 3<>"/dev/tcp/\${hostport%%:*}/\${hostport##*:}"; then
    echo "$me: cannot reach the lab's node agent at $agent (is the lab running?)" >&2
    exit 1
  fi
  printf 'POST %s HTTP/1.0\\r\\nHost: %s\\r\\nContent-Length: 0\\r\\n\\r\\n' "$url_path" "$hostport" >&3
  out=$(cat <&3)
  exec 3<&-
  status_line=\${out%%$'\\r'*}
  code=$(echo "$status_line" | cut -d' ' -f2)
  body=\${out#*$'\\r\\n\\r\\n'}
fi
body=\${body%$'\\n'}
if [ "$code" = "200" ]; then
  printf '%s\\n' "$body"
  exit 0
fi
printf '%s: the lab refused (HTTP %s): %s\\n' "$me" "$code" "$body" >&2
exit 1
`;
}

/** Installs the scripts (mode 0755), rewriting them only when their text changed. */
export function installRke2Scripts(dir = ECS_BIN_DIR): string[] {
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  return RKE2_SCRIPTS.map((script) => {
    const file = path.join(dir, script);
    const text = rke2ScriptText(script);
    let current: string | undefined;
    try {
      current = fs.readFileSync(file, "utf8");
    } catch {
      current = undefined;
    }
    if (current !== text) {
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, text, { mode: 0o755 });
      fs.renameSync(tmp, file);
    }
    fs.chmodSync(file, 0o755);
    return file;
  });
}
