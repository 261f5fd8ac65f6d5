// Lookups and creates shared by the tests (IDs of the seeded flavor, image, network, subnet).
import { arr, str, type OsClient } from "./client";

export interface Seeded {
  serverFlavor: string;
  agentFlavor: string;
  image: string;
  network: string;
  subnet: string;
}

export async function seeded(os: OsClient): Promise<Seeded> {
  const flavors = arr((await os.compute("GET", "/flavors/detail")).body, "flavors") as Record<
    string,
    string
  >[];
  const images = arr((await os.image("GET", "/images?name=rhel-8.8-ecs")).body, "images");
  const nets = arr((await os.network("GET", "/networks?name=ecs-net&status=ACTIVE")).body, "networks");
  return {
    serverFlavor: flavors.find((f) => f.name === "ecs.server")?.id ?? "",
    agentFlavor: flavors.find((f) => f.name === "ecs.agent")?.id ?? "",
    image: str(images, 0, "id"),
    network: str(nets, 0, "id"),
    subnet: str(nets, 0, "subnets", 0),
  };
}

export async function createPort(os: OsClient, s: Seeded, name: string, ip?: string): Promise<string> {
  const r = await os.network("POST", "/ports", {
    port: {
      name,
      network_id: s.network,
      fixed_ips: [{ subnet_id: s.subnet, ...(ip ? { ip_address: ip } : {}) }],
    },
  });
  if (r.status !== 201) throw new Error(`port create: ${r.status} ${r.text}`);
  return str(r.body, "port", "id");
}

export async function createServerGroup(os: OsClient, name: string): Promise<string> {
  // What the provider ends up sending against Nova: the legacy `policies` form, no microversion.
  const r = await os.compute("POST", "/os-server-groups", {
    server_group: { name, policies: ["anti-affinity"] },
  });
  if (r.status !== 200) throw new Error(`server group create: ${r.status} ${r.text}`);
  return str(r.body, "server_group", "id");
}

export async function bootServer(
  os: OsClient,
  s: Seeded,
  name: string,
  opts: { port?: string; group?: string; flavor?: string } = {},
): Promise<string> {
  const network = opts.port ? { uuid: s.network, port: opts.port } : { uuid: s.network };
  const body: Record<string, unknown> = {
    server: {
      name,
      imageRef: s.image,
      flavorRef: opts.flavor ?? s.serverFlavor,
      networks: [network],
      metadata: { role: "test" },
      config_drive: false,
    },
  };
  if (opts.group) body["os:scheduler_hints"] = { group: opts.group };
  const r = await os.compute("POST", "/servers", body);
  if (r.status !== 202) throw new Error(`server create: ${r.status} ${r.text}`);
  return str(r.body, "server", "id");
}

export async function createVolume(os: OsClient, name: string, size = 10): Promise<string> {
  const r = await os.volume("POST", "/volumes", { volume: { name, size, metadata: {} } });
  if (r.status !== 202) throw new Error(`volume create: ${r.status} ${r.text}`);
  return str(r.body, "volume", "id");
}

/** Polls like the provider's StateChangeConf (short interval here) until `done` or timeout. */
export async function pollUntil<T>(
  fn: () => Promise<T>,
  done: (v: T) => boolean,
  timeoutMs = 5000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (done(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
}
