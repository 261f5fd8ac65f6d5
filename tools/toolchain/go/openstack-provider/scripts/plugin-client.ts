// Talks to a provider plugin binary over gRPC without the Pulumi CLI: starts it in attach mode
// (no engine address), reads the port it prints, and calls ResourceProvider methods.
import { ChildProcess, spawn } from "child_process";
import * as grpc from "@grpc/grpc-js";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import {
  CheckFailure,
  CheckRequest,
  CheckResponse,
  GetSchemaRequest,
  GetSchemaResponse,
} from "@pulumi/pulumi/proto/provider_pb";
import { PackageSchema } from "./schema-surface";

export interface RunningPlugin {
  port: number;
  client: ResourceProviderClient;
  stop(): void;
}

export function startPlugin(binary: string, timeoutMs = 30000): Promise<RunningPlugin> {
  const child: ChildProcess = spawn(binary, [], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => fail(new Error(`no port from ${binary} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    function fail(err: Error): void {
      clearTimeout(timer);
      child.kill();
      reject(new Error(`${err.message}\n${stderr}`));
    }
    let stdout = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = /^(\d+)\n/.exec(stdout);
      if (!line) return;
      clearTimeout(timer);
      const port = Number(line[1]);
      const client = new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
      resolve({
        port,
        client,
        stop: () => {
          client.close();
          child.kill();
        },
      });
    });
    child.on("error", fail);
    child.on("exit", (code) => fail(new Error(`${binary} exited with ${code} before printing its port`)));
  });
}

export function getSchema(client: ResourceProviderClient): Promise<PackageSchema> {
  return new Promise((resolve, reject) => {
    client.getSchema(
      new GetSchemaRequest().setVersion(0),
      (err: grpc.ServiceError | null, res?: GetSchemaResponse) =>
        err || !res
          ? reject(err ?? new Error("empty GetSchema response"))
          : resolve(JSON.parse(res.getSchema()) as PackageSchema),
    );
  });
}

export interface CheckResult {
  inputs: Record<string, unknown>;
  failures: { property: string; reason: string }[];
}

/** Calls Check for a new resource of `type` with the given (SDK-named) inputs. */
export function checkResource(
  client: ResourceProviderClient,
  type: string,
  name: string,
  news: Record<string, unknown>,
): Promise<CheckResult> {
  const request = new CheckRequest()
    .setUrn(`urn:pulumi:smoke::smoke::${type}::${name}`)
    .setType(type)
    .setName(name)
    .setOlds(Struct.fromJavaScript({}))
    .setNews(Struct.fromJavaScript(news as Parameters<typeof Struct.fromJavaScript>[0]))
    .setRandomseed(Buffer.alloc(32, 7));
  return new Promise((resolve, reject) => {
    client.check(request, (err: grpc.ServiceError | null, res?: CheckResponse) => {
      if (err || !res) return reject(err ?? new Error("empty Check response"));
      resolve({
        inputs: res.getInputs()?.toJavaScript() ?? {},
        failures: res
          .getFailuresList()
          .map((f: CheckFailure) => ({ property: f.getProperty(), reason: f.getReason() })),
      });
    });
  });
}
