import * as pulumi from "@pulumi/pulumi";
import { CmClient } from "../client";
import { CmLogger } from "../logger";
import { CmOperations } from "../operations";

/** How every CM stage reaches Cloudera Manager (resolved values, as the dynamic provider receives them). */
export interface CmConnectionInputs {
  /** e.g. https://cm.example.com:7183 */
  cmUrl: string;
  cmUsername: string;
  /** Always a Pulumi secret; kept in outputs (as a secret) because delete runs from the stored outputs. */
  cmPassword: string;
  /** PEM bundle of the CA that signed CM's certificate. */
  cmCaBundle?: string;
  /** Skip certificate verification (lab only). */
  cmInsecureSkipTlsVerify?: boolean;
  /** The ECS cluster's API name (not its display name). */
  cluster: string;
  /** Names of the ECS and Docker services (ecs:cloudera.ecsService / dockerService), when configured. */
  ecsService?: string;
  dockerService?: string;
  /** Upper bound for each wait (heartbeat, command, role state); default 900. */
  timeoutSeconds?: number;
  /** Where the stage appends its run record entry (see components/kube/runRecord.ts); none if unset. */
  runRecordDir?: string;
  /** Poll interval for waits; default 2000. */
  pollIntervalMs?: number;
}

/** Same fields as Pulumi inputs, for the resource constructors. */
export type CmConnectionArgs = { [K in keyof CmConnectionInputs]: pulumi.Input<CmConnectionInputs[K]> };

export type CheckFailure = { property: string; reason: string };

export function checkConnection(news: Partial<CmConnectionInputs>): CheckFailure[] {
  const failures: CheckFailure[] = [];
  for (const key of ["cmUrl", "cmUsername", "cmPassword", "cluster"] as const) {
    if (typeof news[key] !== "string" || news[key] === "")
      failures.push({ property: key, reason: `${key} is required` });
  }
  if (typeof news.cmUrl === "string" && !/^https?:\/\/[^/]+\/?$/.test(news.cmUrl)) {
    failures.push({
      property: "cmUrl",
      reason: "cmUrl must be scheme://host:port without a path, e.g. https://cm:7183",
    });
  }
  return failures;
}

/** Progress goes to the Pulumi log when running under the engine, else to stderr. */
export function stageLogger(): CmLogger {
  const emit = (level: "info" | "warn", message: string): void => {
    try {
      void pulumi.log[level](message);
    } catch {
      console.error(message);
    }
  };
  return { info: (m) => emit("info", m), warn: (m) => emit("warn", m) };
}

export async function connect(inputs: CmConnectionInputs): Promise<CmOperations> {
  const client = await CmClient.connect({
    baseUrl: inputs.cmUrl,
    username: inputs.cmUsername,
    password: inputs.cmPassword,
    caBundle: inputs.cmCaBundle,
    insecureSkipTlsVerify: inputs.cmInsecureSkipTlsVerify,
    logger: stageLogger(),
  });
  return new CmOperations(client, inputs.cluster, {
    wait: { timeoutMs: (inputs.timeoutSeconds ?? 900) * 1000, pollMs: inputs.pollIntervalMs ?? 2000 },
    heartbeatMaxAgeMs: 60_000,
    services: { ECS: inputs.ecsService, DOCKER: inputs.dockerService },
  });
}

/** Keys whose change means "another machine or another CM object": the stage must be replaced. */
export function replaceKeys<T extends object>(olds: T, news: T, keys: (keyof T)[]): string[] {
  return keys.filter((k) => olds[k] !== news[k]).map(String);
}

/** Any changed input other than the provider itself. */
export function changedKeys(olds: Record<string, unknown>, news: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(olds), ...Object.keys(news)]);
  return [...keys].filter((k) => k !== "__provider" && JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
}
