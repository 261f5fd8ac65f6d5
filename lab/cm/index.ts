import * as fs from "fs";
import { AddressInfo } from "net";
import { SpecContract } from "./contract/spec-contract";
import { CmFaults } from "./faults";
import { CmSeed, defaultSeed } from "./seed";
import { createCmServer, RecordedExchange } from "./server/http-server";
import { CmState, RoleStateListener } from "./state/cm-state";
import { DEFAULT_TIMINGS, Timings } from "./state/model";
import { makeTlsMaterial } from "./tls";

export { CmSeed, defaultSeed } from "./seed";
export { CmFaults } from "./faults";
export { RecordedExchange } from "./server/http-server";

export interface CmSimulatorOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  seed?: CmSeed;
  timings?: Partial<Timings>;
  faults?: CmFaults;
  /** Highest API version served; `GET /api/version` answers `v<apiVersion>`. */
  apiVersion?: number;
  credentials?: { username: string; password: string };
  /** Serve HTTPS with a freshly made CA and certificate. */
  tls?: boolean;
  /** Check every exchange against the official description and collect violations in `contractViolations`. */
  contract?: SpecContract;
}

export interface CmSimulator {
  url: string;
  /** PEM of the CA that signed the server certificate (HTTPS only). */
  caPem?: string;
  state: CmState;
  faults: CmFaults;
  exchanges: RecordedExchange[];
  contractViolations: string[];
  hooks: {
    /** The node's CM agent heartbeats (true) or went silent (false); a new hostname registers a new host. */
    setAgentHeartbeat(hostname: string, up: boolean, ipAddress?: string): void;
    /** Called when a role reaches STARTED or STOPPED. */
    onRoleState(listener: RoleStateListener): void;
  };
  stop(): Promise<void>;
}

export async function startCmSimulator(options: CmSimulatorOptions = {}): Promise<CmSimulator> {
  const faults: CmFaults = options.faults ?? {};
  const state = new CmState(
    options.seed ?? defaultSeed(),
    { ...DEFAULT_TIMINGS, ...options.timings },
    faults,
  );
  const tls = options.tls ? makeTlsMaterial() : undefined;
  const exchanges: RecordedExchange[] = [];
  const contractViolations: string[] = [];
  const server = createCmServer({
    state,
    faults,
    apiVersion: options.apiVersion ?? 45,
    credentials: options.credentials ?? { username: "admin", password: "admin" },
    tls,
    onExchange: (exchange) => {
      exchanges.push(exchange);
      if (options.contract && exchange.status > 0)
        contractViolations.push(...options.contract.check(exchange));
    },
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? "https" : "http"}://${host}:${port}`,
    caPem: tls?.caPem,
    state,
    faults,
    exchanges,
    contractViolations,
    hooks: {
      setAgentHeartbeat: (hostname, up, ipAddress) => void state.setAgentHeartbeat(hostname, up, ipAddress),
      onRoleState: (listener) => state.onRoleState(listener),
    },
    stop: async () => {
      state.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (tls) fs.rmSync(tls.dir, { recursive: true, force: true });
    },
  };
}
