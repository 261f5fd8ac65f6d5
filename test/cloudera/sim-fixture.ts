import * as assert from "assert";
import { CmClient } from "../../components/cloudera/client";
import { CmLogger } from "../../components/cloudera/logger";
import { CmOperations } from "../../components/cloudera/operations";
import { SpecContract } from "../../lab/cm/contract/spec-contract";
import { CmSimulator, CmSimulatorOptions, startCmSimulator } from "../../lab/cm/index";

/** One compiled contract for all tests (compiling the description takes a moment). */
let sharedContract: SpecContract | undefined;
export function contract(): SpecContract {
  sharedContract ??= new SpecContract();
  return sharedContract;
}

export const PASSWORD = "s3cret-Pa55";

/** Fast timings so transitions are observable within a test. */
export async function startSim(options: CmSimulatorOptions = {}): Promise<CmSimulator> {
  return startCmSimulator({
    credentials: { username: "admin", password: PASSWORD },
    timings: { roleTransitionMs: 80, commandMs: 60, heartbeatGraceMs: 300 },
    contract: contract(),
    ...options,
  });
}

/** Every exchange of the test, client requests and simulator answers alike, must follow the description. */
export async function stopAndCheckContract(sim: CmSimulator | undefined): Promise<void> {
  if (!sim) return;
  await sim.stop();
  assert.deepStrictEqual(
    sim.contractViolations,
    [],
    "exchanges that disagree with the official API description",
  );
}

export class MemoryLogger implements CmLogger {
  readonly lines: string[] = [];
  info(m: string): void {
    this.lines.push(`info ${m}`);
  }
  warn(m: string): void {
    this.lines.push(`warn ${m}`);
  }
}

export function connectClient(sim: CmSimulator, logger = new MemoryLogger()): Promise<CmClient> {
  return CmClient.connect({
    baseUrl: sim.url,
    username: "admin",
    password: PASSWORD,
    caBundle: sim.caPem,
    timeoutMs: 2000,
    retry: { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20 },
    logger,
  });
}

export async function operations(sim: CmSimulator, logger = new MemoryLogger()): Promise<CmOperations> {
  const client = await connectClient(sim, logger);
  return new CmOperations(client, "ecs-cluster", {
    wait: { timeoutMs: 3000, pollMs: 20 },
    heartbeatMaxAgeMs: 300,
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
