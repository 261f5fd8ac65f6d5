/**
 * Just enough Keystone v3 + Nova to ask "is this VM really off?" before a case that assumes it
 * (out-of-service taint, auto). Credentials come from the standard OS_* environment, which the
 * stage passes as secrets; nothing is logged but the server status.
 */

export type PowerEvidence =
  | { source: "nova"; status: string; powerState?: number }
  | { source: "nova"; status: "GONE" }
  | { source: "unavailable"; reason: string };

async function token(env: NodeJS.ProcessEnv): Promise<{ token: string; computeUrl: string }> {
  const body = {
    auth: {
      identity: {
        methods: ["password"],
        password: {
          user: {
            name: env.OS_USERNAME,
            domain: { name: env.OS_USER_DOMAIN_NAME ?? "Default" },
            password: env.OS_PASSWORD,
          },
        },
      },
      scope: {
        project: {
          name: env.OS_PROJECT_NAME ?? env.OS_TENANT_NAME,
          domain: { name: env.OS_PROJECT_DOMAIN_NAME ?? "Default" },
        },
      },
    },
  };
  const url = `${String(env.OS_AUTH_URL).replace(/\/+$/, "").replace(/\/v3$/, "")}/v3/auth/tokens`;
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`Keystone answered ${res.status} at ${url}`);
  const t = res.headers.get("x-subject-token") ?? "";
  const doc = (await res.json()) as {
    token: { catalog: Array<{ type: string; endpoints: Array<{ interface: string; url: string }> }> };
  };
  const compute = doc.token.catalog
    .find((c) => c.type === "compute")
    ?.endpoints.find((e) => e.interface === "public");
  if (!compute) throw new Error("Keystone catalog has no public compute endpoint");
  return { token: t, computeUrl: compute.url.replace(/\/+$/, "") };
}

export async function novaPowerEvidence(
  instanceId: string | undefined,
  env = process.env,
): Promise<PowerEvidence> {
  if (!instanceId) return { source: "unavailable", reason: "no instance id" };
  if (!env.OS_AUTH_URL || !env.OS_PASSWORD) return { source: "unavailable", reason: "no OS_* credentials" };
  try {
    const { token: t, computeUrl } = await token(env);
    const res = await fetch(`${computeUrl}/servers/${instanceId}`, { headers: { "x-auth-token": t } });
    if (res.status === 404) return { source: "nova", status: "GONE" };
    if (res.status !== 200) return { source: "unavailable", reason: `Nova answered ${res.status}` };
    const s = ((await res.json()) as { server: { status: string; "OS-EXT-STS:power_state"?: number } })
      .server;
    return { source: "nova", status: s.status, powerState: s["OS-EXT-STS:power_state"] };
  } catch (e) {
    return { source: "unavailable", reason: (e as Error).message };
  }
}

/** True when Nova confirms the VM cannot be running workloads. */
export function vmConfirmedOff(e: PowerEvidence): boolean {
  return e.source === "nova" && ["SHUTOFF", "GONE", "ERROR", "SUSPENDED", "PAUSED"].includes(e.status);
}
