// CLI: run the OpenStack simulator until SIGINT/SIGTERM.
//   OS_SIM_PASSWORD=... npx ts-node lab/openstack/main.ts --port 5000 --state-file .cache/openstack.json
// Prints one JSON line ({"url","authUrl",...}) on stdout when ready; the password is never printed.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { liveDetachPolicy } from "./detach";
import type { SeedDescription } from "./seed";
import { startOpenStackSimulator } from "./server";

const USAGE = `usage: main.ts [--host 127.0.0.1] [--port 0] [--state-file FILE] [--seed FILE.json]
  [--password-file FILE] [--boot-delay-ms N] [--api-latency-ms N] [--power-delay-ms N]
  [--volume-delay-ms N] [--token-ttl-seconds N] [--live-detach refuse|allow] [--quiet]
The password comes from $OS_SIM_PASSWORD or --password-file.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: "string", default: "127.0.0.1" },
      port: { type: "string", default: "0" },
      "state-file": { type: "string" },
      seed: { type: "string" },
      "password-file": { type: "string" },
      "boot-delay-ms": { type: "string" },
      "api-latency-ms": { type: "string" },
      "power-delay-ms": { type: "string" },
      "volume-delay-ms": { type: "string" },
      "token-ttl-seconds": { type: "string" },
      "live-detach": { type: "string" },
      quiet: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const num = (v: string | undefined, name: string): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number`);
    return n;
  };
  const password = values["password-file"]
    ? readFileSync(values["password-file"], "utf8").trim()
    : process.env.OS_SIM_PASSWORD;
  const seed = values.seed ? (JSON.parse(readFileSync(values.seed, "utf8")) as SeedDescription) : undefined;
  const sim = await startOpenStackSimulator({
    host: values.host,
    port: num(values.port, "port"),
    stateFile: values["state-file"],
    seed,
    password,
    bootDelayMs: num(values["boot-delay-ms"], "boot-delay-ms"),
    apiLatencyMs: num(values["api-latency-ms"], "api-latency-ms"),
    powerDelayMs: num(values["power-delay-ms"], "power-delay-ms"),
    volumeDelayMs: num(values["volume-delay-ms"], "volume-delay-ms"),
    tokenTtlSeconds: num(values["token-ttl-seconds"], "token-ttl-seconds"),
    liveDetach: liveDetachPolicy(values["live-detach"]),
    log: values.quiet ? undefined : (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`),
  });
  sim.hooks.onServer((e) => {
    if (!values.quiet)
      process.stderr.write(`${e.at} server.${e.type} ${e.name} ${e.fixedIps.join(",")} ${e.host ?? "-"}\n`);
  });
  process.stdout.write(
    `${JSON.stringify({ url: sim.url, authUrl: sim.authUrl, ...sim.providerConfig() })}\n`,
  );
  const shutdown = (): void => {
    sim.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

main().catch((e: unknown) => {
  process.stderr.write(`openstack simulator: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
