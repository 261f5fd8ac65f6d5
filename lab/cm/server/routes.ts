import type {
  ApiHostRefList,
  ApiHostsToRemoveArgs,
  ApiRoleList,
  ApiRoleNameList,
} from "../../../components/cloudera/api-types.generated";
import { CmState } from "../state/cm-state";
import { badRequest, CmHttpError, notFound } from "../state/http-error";
import { CmViews } from "../state/views";

export interface RouteRequest {
  method: string;
  /** Path below `/api/vNN`, e.g. `/hosts/abc`. */
  path: string;
  query: URLSearchParams;
  body: unknown;
}

type Handler = (req: RouteRequest, params: string[]) => unknown;

/** The API subset the simulator serves, keyed like the description's paths. */
export function buildRoutes(
  state: CmState,
  views: CmViews,
): { method: string; pattern: RegExp; handler: Handler }[] {
  const routes: { method: string; pattern: RegExp; handler: Handler }[] = [];
  const on = (method: string, template: string, handler: Handler): void => {
    routes.push({ method, pattern: new RegExp(`^${template.replace(/\{\w+\}/g, "([^/]+)")}$`), handler });
  };
  const full = (req: RouteRequest, byDefault: boolean): boolean => {
    const view = req.query.get("view");
    return view === null ? byDefault : view.toUpperCase().startsWith("FULL");
  };

  on("GET", "/tools/echo", (req) => ({ message: req.query.get("message") ?? "Hello world!" }));
  on("GET", "/tools/echoError", (req) => {
    throw new CmHttpError(500, req.query.get("message") ?? "Default error message");
  });
  on("GET", "/cm/version", () => ({
    version: "7.8.1",
    snapshot: false,
    buildUser: "simulator",
    buildTimestamp: "2022-10-01T00:00:00.000Z",
    gitHash: "0000000000000000000000000000000000000000",
  }));

  on("GET", "/clusters", (req) => {
    // The default clusterType is "base": an ECS (experience) cluster is listed only for ANY/EXPERIENCE.
    const type = (req.query.get("clusterType") ?? "BASE").toUpperCase();
    return { items: type === "ANY" || type === "EXPERIENCE" ? [views.cluster(full(req, false))] : [] };
  });
  on("GET", "/clusters/{c}", (_req, [c]) => {
    state.cluster(c);
    return views.cluster(true);
  });
  on("GET", "/clusters/{c}/services", (_req, [c]) => {
    state.cluster(c);
    return { items: [...state.services.values()].map((s) => views.service(s)) };
  });
  on("GET", "/clusters/{c}/services/{s}", (_req, [c, s]) => views.service(state.service(c, s)));
  on("POST", "/clusters/{c}/commands/refresh", (_req, [c]) => views.command(state.refreshCluster(c), false));

  on("GET", "/clusters/{c}/services/{s}/roles", (req, [c, s]) => {
    state.service(c, s);
    const filters = parseFilter(req.query.get("filter") ?? "");
    const roles = [...state.roles.values()].filter((r) => {
      const host = state.hosts.get(r.hostId);
      return (
        r.serviceName === s &&
        (filters.type === undefined || filters.type === r.type) &&
        (filters.hostId === undefined || filters.hostId === r.hostId) &&
        (filters.hostname === undefined || filters.hostname === host?.hostname)
      );
    });
    return { items: roles.map((r) => views.role(r, full(req, false))) };
  });
  on("POST", "/clusters/{c}/services/{s}/roles", (req, [c, s]) => {
    const items = (req.body as ApiRoleList | undefined)?.items;
    if (!Array.isArray(items) || items.length === 0) throw badRequest("No roles to create.");
    return { items: items.map((spec) => views.role(state.createRole(c, s, spec), false)) };
  });
  on("GET", "/clusters/{c}/services/{s}/roles/{r}", (req, [c, s, r]) =>
    views.role(state.role(c, s, r), full(req, true)),
  );
  on("DELETE", "/clusters/{c}/services/{s}/roles/{r}", (_req, [c, s, r]) =>
    views.role(state.deleteRole(c, s, r), false),
  );
  for (const action of ["start", "stop"] as const) {
    on("POST", `/clusters/{c}/services/{s}/roleCommands/${action}`, (req, [c, s]) => {
      const names = (req.body as ApiRoleNameList | undefined)?.items;
      if (!Array.isArray(names) || names.length === 0) throw badRequest("No role names given.");
      const { commands, errors } = state.roleCommand(c, s, action, names);
      return { items: commands.map((cmd) => views.command(cmd, false)), errors };
    });
  }

  on("GET", "/clusters/{c}/hosts", (req, [c]) => {
    state.cluster(c);
    const members = [...state.hosts.values()].filter((h) => h.clusterName === c);
    return { items: members.map((h) => views.host(h, full(req, false))) };
  });
  on("POST", "/clusters/{c}/hosts", (req, [c]) => {
    const items = (req.body as ApiHostRefList | undefined)?.items;
    if (!Array.isArray(items) || items.length === 0) throw badRequest("No hosts to add.");
    return { items: state.addHostsToCluster(c, items).map((h) => views.hostRef(h.hostId, h)) };
  });
  on("DELETE", "/clusters/{c}/hosts/{h}", (_req, [c, h]) => {
    const removed = state.removeHostFromCluster(c, h);
    // "if the host is not part of the cluster, return null"; an empty ref keeps the body a valid ApiHostRef.
    return removed ? views.hostRef(removed.hostId, removed) : {};
  });

  on("GET", "/hosts", (req) => ({
    items: [...state.hosts.values()].map((h) => views.host(h, full(req, false))),
  }));
  on("POST", "/hosts/removeHostsFromCluster", (req) => {
    const args = req.body as ApiHostsToRemoveArgs | undefined;
    if (!args || typeof args.deleteHosts !== "boolean" || !Array.isArray(args.hostsToRemove)) {
      throw badRequest("hostsToRemove and deleteHosts are required.");
    }
    return views.command(state.removeHostsFromCluster(args.hostsToRemove, args.deleteHosts), false);
  });
  on("GET", "/hosts/{h}", (req, [h]) => views.host(state.host(h), full(req, true)));
  on("DELETE", "/hosts/{h}", (_req, [h]) => views.host(state.deleteHost(h), false));

  on("GET", "/commands/{id}", (_req, [id]) => views.command(state.command(commandId(id)), true));
  on("POST", "/commands/{id}/abort", (_req, [id]) => views.command(state.abortCommand(commandId(id)), true));
  return routes;
}

function commandId(raw: string): number {
  if (!/^\d+$/.test(raw)) throw notFound(`Command '${raw}' not found.`);
  return Number(raw);
}

/** `hostname==a;type==ECS_SERVER` (the roles filter syntax of the description). */
function parseFilter(filter: string): { hostname?: string; hostId?: string; type?: string } {
  const out: Record<string, string> = {};
  for (const part of filter.split(";").filter(Boolean)) {
    const m = /^(hostname|hostId|type)==(.+)$/.exec(part);
    if (!m) throw badRequest(`Invalid filter '${part}'.`);
    out[m[1]] = m[2];
  }
  return out;
}
