/** A CM API call that failed: carries CM's own message, the request, and what to do about it. */
export class CmApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number | undefined,
    readonly cmMessage: string,
    readonly causes: string[],
    readonly hint: string,
    readonly attempts: number,
  ) {
    super(
      `Cloudera Manager ${method} ${path} failed` +
        (status !== undefined ? ` with HTTP ${status}` : "") +
        `: ${cmMessage.replace(/\.+$/, "")}` +
        (causes.length > 0 ? ` (causes: ${causes.join("; ")})` : "") +
        (attempts > 1 ? ` [after ${attempts} attempts]` : "") +
        `. ${hint}`,
    );
    this.name = "CmApiError";
  }
}

/** A CM command that ended with success:false; the message is CM's resultMessage plus failing children. */
export class CmCommandError extends Error {
  constructor(
    readonly commandId: number,
    readonly commandName: string,
    readonly resultMessage: string,
    readonly failedChildren: string[],
  ) {
    super(
      `Cloudera Manager command '${commandName}' (id ${commandId}) failed: ${resultMessage}` +
        (failedChildren.length > 0 ? `; failed steps: ${failedChildren.join("; ")}` : "") +
        `. See the command in CM (Running Commands / command ${commandId}), fix the cause, then re-run pulumi up.`,
    );
    this.name = "CmCommandError";
  }
}

/** A wait that ran out of time; says what was awaited so the operator knows where to look. */
export class CmTimeoutError extends Error {
  constructor(what: string, timeoutMs: number, lastSeen: string, hint: string) {
    super(
      `Timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what} (last seen: ${lastSeen}). ${hint}`,
    );
    this.name = "CmTimeoutError";
  }
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
