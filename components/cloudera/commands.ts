import type { ApiBulkCommandList, ApiCommand } from "./api-types.generated";
import { CmClient } from "./client";
import { cmCommandError, cmTimeoutError } from "./errors";
import { pollDelay, sleep } from "./transport";

export interface WaitOptions {
  timeoutMs: number;
  pollMs: number;
  /** What the wait is for, in the operator's words, e.g. "ECS_SERVER role on ds02 to start". */
  what: string;
}

export const DEFAULT_WAIT: WaitOptions = { timeoutMs: 15 * 60_000, pollMs: 2_000, what: "a CM command" };

/**
 * Polls `/commands/{id}` until the command is no longer active; a finished command with success:false becomes a
 * CmCommandError carrying CM's resultMessage and the failing children (as Cloudbreak reports them).
 */
export async function waitForCommand(
  client: CmClient,
  started: ApiCommand,
  options: Partial<WaitOptions> = {},
): Promise<ApiCommand> {
  const o = { ...DEFAULT_WAIT, ...options };
  const deadline = Date.now() + o.timeoutMs;
  let command = started;
  let lastLog = 0;
  let polls = 0;
  while (command.active) {
    if (command.id === undefined) break; // synchronous commands have no id to poll
    if (Date.now() > deadline) {
      throw cmTimeoutError(
        `${o.what} (CM command '${command.name}' id ${command.id})`,
        o.timeoutMs,
        "still active",
        `Look at command ${command.id} in CM; abort it there (or POST /commands/${command.id}/abort) before re-running.`,
      );
    }
    if (Date.now() - lastLog > 30_000) {
      client.logger.info(`waiting for ${o.what}: CM command '${command.name}' (id ${command.id}) is running`);
      lastLog = Date.now();
    }
    await sleep(pollDelay(polls++, o.pollMs));
    command = await client.readCommand(command.id);
  }
  if (command.success === false) {
    throw cmCommandError(
      command.id ?? -1,
      command.name ?? "?",
      command.resultMessage ?? "(no message from CM)",
      failedChildren(command),
    );
  }
  return command;
}

function failedChildren(command: ApiCommand): string[] {
  return (command.children?.items ?? [])
    .filter((c) => c.success === false || c.active === true)
    .map((c) => {
      const target = c.roleRef?.roleName ?? c.hostRef?.hostname ?? c.serviceRef?.serviceName ?? "";
      const state = c.active ? "still active" : (c.resultMessage ?? "failed");
      return `${c.name ?? "command"}${target ? ` on ${target}` : ""}: ${state}`;
    });
}

/** Bulk role commands report per-role refusals in `errors`; any error fails the whole step (as ANS does). */
export async function waitForBulk(
  client: CmClient,
  bulk: ApiBulkCommandList,
  options: Partial<WaitOptions> = {},
): Promise<ApiCommand[]> {
  if ((bulk.errors ?? []).length > 0) {
    throw cmCommandError(
      -1,
      options.what ?? "bulk role command",
      `CM refused: ${(bulk.errors ?? []).join("; ")}`,
      [],
    );
  }
  const done: ApiCommand[] = [];
  for (const command of bulk.items ?? []) done.push(await waitForCommand(client, command, options));
  return done;
}
