// Exits the host when the engine that started it is gone (e.g. the CLI was killed), instead of
// leaving an orphan. Like the Go host: every few minutes call grpc.health.v1.Health/Check on the
// engine; UNIMPLEMENTED counts as alive, any other error means the engine is gone.
import * as grpc from "@grpc/grpc-js";

const CHECK_PATH = "/grpc.health.v1.Health/Check";
// An empty HealthCheckRequest serializes to zero bytes; the response content is not needed.
const emptyRequest = (): Buffer => Buffer.alloc(0);
const ignoreResponse = (b: Buffer): Buffer => b;

export function checkEngineOnce(client: grpc.Client, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      CHECK_PATH,
      emptyRequest,
      ignoreResponse,
      undefined,
      new grpc.Metadata(),
      { deadline: Date.now() + timeoutMs },
      (err) => resolve(!err || err.code === grpc.status.UNIMPLEMENTED),
    );
  });
}

export function watchEngine(engineAddress: string, intervalMs: number, onGone: () => void): () => void {
  const client = new grpc.Client(engineAddress, grpc.credentials.createInsecure());
  const timer = setInterval(() => {
    void checkEngineOnce(client, 30_000).then((alive) => {
      if (!alive) onGone();
    });
  }, intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    client.close();
  };
}
