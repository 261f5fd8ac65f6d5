// Entry point of pulumi-language-nodejs: serve LanguageRuntime on a free loopback port and print the
// port on stdout, which is how the Pulumi CLI learns where to connect.
import * as grpc from "@grpc/grpc-js";
import * as fs from "fs";
import * as path from "path";
import { parseHostArgs } from "./args";
import { cancelAll } from "./child-processes";
import { watchEngine } from "./health-check";
import { HostSettings, languageRuntimeHandlers } from "./language-runtime";
import { languageGrpcPb } from "./stubs";

// The same interval as the Go host (rpcutil.Healthcheck with 5 minutes).
const ENGINE_CHECK_INTERVAL_MS = 5 * 60 * 1000;

function hostVersion(): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8")) as {
    version: string;
  };
  return manifest.version;
}

async function main(): Promise<void> {
  const args = parseHostArgs(process.argv.slice(2));
  const version = hostVersion();
  if (args.showVersion) {
    process.stdout.write(`${version}\n`);
    return;
  }
  if (args.runtime !== "nodejs") throw new Error(`unsupported runtime: ${args.runtime}`);

  const server = new grpc.Server();
  let stopWatching: (() => void) | undefined;
  const shutdown = () => {
    stopWatching?.();
    cancelAll();
    server.forceShutdown();
    // Give interrupted children a moment, then leave even if something keeps the loop alive.
    setTimeout(() => process.exit(0), 1000).unref();
  };
  const watch = (address: string) => {
    stopWatching?.();
    stopWatching = watchEngine(address, ENGINE_CHECK_INTERVAL_MS, shutdown);
  };
  const settings: HostSettings = {
    engineAddress: args.engineAddress,
    tracing: args.tracing,
    version,
    onEngineAddress: watch,
  };
  if (args.engineAddress) watch(args.engineAddress);

  server.addService(languageGrpcPb.LanguageRuntimeService, languageRuntimeHandlers(settings));
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  process.stdout.write(`${port}\n`);

  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

main().catch((err: Error) => {
  process.stderr.write(`pulumi-language-nodejs: ${err.message}\n`);
  process.exit(1);
});
