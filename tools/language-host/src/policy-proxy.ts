// Stand-in Analyzer server for TypeScript policy packs run through RunPlugin (CLI >= 3.221).
//
// The engine expects the pack to accept ConfigureStack before anything else, but @pulumi/policy
// reads the stack (project, stack, config, dry-run) from environment variables at start-up. So, as
// the Go host's PolicyProxy does, we announce our own port, take ConfigureStack ourselves, start
// the pack with that environment, read the pack's port from its stdout and forward every further
// Analyzer call to it.
import * as grpc from "@grpc/grpc-js";
import { Readable } from "stream";
import { Deferred } from "./deferred";
import { analyzerGrpcPb, analyzerPb } from "./stubs";

type StackConfigureRequest = InstanceType<typeof analyzerPb.AnalyzerStackConfigureRequest>;
type AnalyzerClient = InstanceType<typeof analyzerGrpcPb.AnalyzerClient>;

export class PolicyProxy {
  private readonly configuration = new Deferred<StackConfigureRequest | undefined>();
  private readonly client = new Deferred<AnalyzerClient>();
  private packClient?: AnalyzerClient;

  private constructor(
    private readonly server: grpc.Server,
    readonly port: number,
  ) {}

  static async start(): Promise<PolicyProxy> {
    const server = new grpc.Server();
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    );
    const proxy = new PolicyProxy(server, port);
    server.addService(analyzerGrpcPb.AnalyzerService, proxy.handlers());
    return proxy;
  }

  /** Resolves with the engine's ConfigureStack request, or undefined if it called something else first. */
  awaitConfiguration(): Promise<StackConfigureRequest | undefined> {
    return this.configuration.promise;
  }

  /**
   * Reads the pack's port from the first line of its stdout, connects, replays the stack
   * configuration and lets queued calls through. Later stdout goes to `forward`.
   */
  attach(packStdout: Readable, forward: (chunk: Buffer) => void): Promise<void> {
    let buffered = Buffer.alloc(0);
    let attached = false;
    const onData = (chunk: Buffer) => {
      if (attached) return forward(chunk);
      buffered = Buffer.concat([buffered, chunk]);
      const newline = buffered.indexOf(0x0a);
      if (newline < 0) return;
      attached = true;
      const line = buffered.subarray(0, newline).toString("utf8").trim();
      const rest = buffered.subarray(newline + 1);
      if (rest.length > 0) forward(rest);
      void this.connect(line);
    };
    packStdout.on("data", onData);
    packStdout.once("end", () => {
      if (!attached) this.client.reject(new Error("could not read policy pack port: the pack exited first"));
    });
    return this.client.promise.then(() => undefined);
  }

  close(): void {
    this.packClient?.close();
    this.server.forceShutdown();
  }

  private async connect(portLine: string): Promise<void> {
    const port = Number.parseInt(portLine, 10);
    if (!Number.isInteger(port) || port <= 0) {
      this.client.reject(new Error(`could not read policy pack port from ${JSON.stringify(portLine)}`));
      return;
    }
    const client = new analyzerGrpcPb.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    this.packClient = client;
    const config = await this.configuration.promise;
    if (config) {
      try {
        await new Promise<void>((resolve, reject) =>
          client.configureStack(config, (err) =>
            err && err.code !== grpc.status.UNIMPLEMENTED ? reject(err) : resolve(),
          ),
        );
      } catch (err) {
        this.client.reject(new Error(`policy pack configuration failed: ${(err as Error).message}`));
        return;
      }
    }
    this.client.resolve(client);
  }

  private handlers(): grpc.UntypedServiceImplementation {
    const handlers: grpc.UntypedServiceImplementation = {};
    for (const [name, method] of Object.entries(analyzerGrpcPb.AnalyzerService)) {
      handlers[name] = (
        call: grpc.ServerUnaryCall<unknown, unknown>,
        callback: grpc.sendUnaryData<unknown>,
      ) => {
        if (name === "handshake") return callback(null, new analyzerPb.AnalyzerHandshakeResponse());
        if (name === "configureStack") {
          this.configuration.resolve(call.request as StackConfigureRequest);
          return callback(null, new analyzerPb.AnalyzerStackConfigureResponse());
        }
        // Some commands (e.g. `policy publish`) never configure a stack: start the pack without one.
        this.configuration.resolve(undefined);
        this.client.promise.then(
          (client) =>
            client.makeUnaryRequest(
              method.path,
              method.requestSerialize,
              method.responseDeserialize,
              call.request,
              callback,
            ),
          (err: Error) =>
            callback({ code: grpc.status.UNAVAILABLE, details: `policy pack not started: ${err.message}` }),
        );
      };
    }
    return handlers;
  }
}
