// Keystone accounts: the lab's project ("ecs", user "ecs-admin") and the others ("ecs-other"). Servers
// and volumes belong to the project of the token that created them and are seen by that project only.
import type { AccountRecord, SimState } from "./types";

export function accounts(state: SimState): AccountRecord[] {
  return [{ project: state.project, user: state.user }, ...state.otherAccounts];
}

/** The account of a project; the lab's own for an unknown ID (records older than the second project). */
export function accountOf(state: SimState, projectId: string | null | undefined): AccountRecord {
  const all = accounts(state);
  return all.find((a) => a.project.id === projectId) ?? all[0];
}

/** True when a request scoped to `projectId` may see the resource; the unscoped /_sim API sees all. */
export function visibleTo(projectId: string | undefined, owned: { projectId: string }): boolean {
  return projectId === undefined || owned.projectId === projectId;
}
