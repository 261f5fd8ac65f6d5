/**
 * CLI: node -r ts-node/register/transpile-only lab/cm/main.ts [--port 7180] [--host 127.0.0.1] [--tls]
 *        [--state seed.json] [--ca-out ca.pem]
 * The password comes from CM_SIM_PASSWORD (default "admin"), never from the command line.
 */
import * as fs from "fs";
import { CmSeed } from "./seed";
import { startCmSimulator } from "./index";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const seedFile = arg("state");
  const sim = await startCmSimulator({
    port: Number(arg("port") ?? 7180),
    host: arg("host") ?? "127.0.0.1",
    tls: process.argv.includes("--tls"),
    seed: seedFile ? (JSON.parse(fs.readFileSync(seedFile, "utf8")) as CmSeed) : undefined,
    credentials: {
      username: process.env.CM_SIM_USER ?? "admin",
      password: process.env.CM_SIM_PASSWORD ?? "admin",
    },
  });
  const caOut = arg("ca-out");
  if (caOut && sim.caPem) fs.writeFileSync(caOut, sim.caPem);
  sim.hooks.onRoleState((e) => console.log(`role ${e.role} (${e.type}) on ${e.hostname} is ${e.state}`));
  console.log(`CM simulator listening on ${sim.url}`);
  const shutdown = (): void => {
    void sim.stop().then(() => process.exit(0));
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
