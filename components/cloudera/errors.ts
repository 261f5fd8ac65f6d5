/*
 * The CM errors are plain `Error` objects with extra fields, made by factory functions, not
 * subclasses: this code also runs inside the dynamic provider, whose closure serialization turns a
 * class into a function and loses what `super(message)` sets up (the engine then reported
 * "Unknown Error" for every CM failure). Test with the `is…` guards, not `instanceof`.
 */

/** A CM API call that failed: carries CM's own message, the request, and what to do about it. */
export interface CmApiError extends Error {
  name: "CmApiError";
  method: string;
  path: string;
  status: number | undefined;
  cmMessage: string;
  causes: string[];
  hint: string;
  attempts: number;
}

export function cmApiError(
  method: string,
  path: string,
  status: number | undefined,
  cmMessage: string,
  causes: string[],
  hint: string,
  attempts: number,
): CmApiError {
  const e = new Error(
    `Cloudera Manager ${method} ${path} failed` +
      (status !== undefined ? ` with HTTP ${status}` : "") +
      `: ${cmMessage.replace(/\.+$/, "")}` +
      (causes.length > 0 ? ` (causes: ${causes.join("; ")})` : "") +
      (attempts > 1 ? ` [after ${attempts} attempts]` : "") +
      `. ${hint}`,
  );
  return Object.assign(e, {
    name: "CmApiError" as const,
    method,
    path,
    status,
    cmMessage,
    causes,
    hint,
    attempts,
  });
}

export const isCmApiError = (e: unknown): e is CmApiError => e instanceof Error && e.name === "CmApiError";

/** A CM command that ended with success:false; the message is CM's resultMessage plus failing children. */
export interface CmCommandError extends Error {
  name: "CmCommandError";
  commandId: number;
  commandName: string;
  resultMessage: string;
  failedChildren: string[];
}

export function cmCommandError(
  commandId: number,
  commandName: string,
  resultMessage: string,
  failedChildren: string[],
): CmCommandError {
  const e = new Error(
    `Cloudera Manager command '${commandName}' (id ${commandId}) failed: ${resultMessage}` +
      (failedChildren.length > 0 ? `; failed steps: ${failedChildren.join("; ")}` : "") +
      `. See the command in CM (Running Commands / command ${commandId}), fix the cause, then re-run pulumi up.`,
  );
  return Object.assign(e, {
    name: "CmCommandError" as const,
    commandId,
    commandName,
    resultMessage,
    failedChildren,
  });
}

export const isCmCommandError = (e: unknown): e is CmCommandError =>
  e instanceof Error && e.name === "CmCommandError";

/** A wait that ran out of time; says what was awaited so the operator knows where to look. */
export function cmTimeoutError(what: string, timeoutMs: number, lastSeen: string, hint: string): Error {
  const e = new Error(
    `Timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what} (last seen: ${lastSeen}). ${hint}`,
  );
  e.name = "CmTimeoutError";
  return e;
}

/** Advice per HTTP status, phrased for the person running `pulumi up`. */
export function hintForStatus(status: number | undefined, baseUrl: string): string {
  if (status === undefined) {
    return `Check that ${baseUrl} is reachable from here (address, port 7180/7183, firewall) and that the CA bundle trusts its certificate.`;
  }
  if (status === 401) return "Check the CM username and password (the cmPassword Pulumi secret).";
  if (status === 403)
    return "The CM user lacks permission: it needs the Cluster Administrator or Full Administrator role.";
  if (status === 404)
    return "The object does not exist in CM: check the cluster, service, host and role names.";
  if (status === 400 || status === 409)
    return "CM rejected the request as invalid in the current state; see its message.";
  if (status === 429) return "CM is throttling requests; wait and re-run.";
  if (status >= 500)
    return "CM is failing or overloaded; check the CM server health and its log (cloudera-scm-server.log), then re-run.";
  return "See CM's message.";
}
