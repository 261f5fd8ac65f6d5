/**
 * How the stages reach Nova: the same credentials the stack's OpenStack provider uses, resolved
 * the way the provider resolves them (explicit `openstack:*` config, then the `OS_*` environment,
 * then the `clouds.yaml` entry named by `openstack:cloud` / `OS_CLOUD`). The stages only read
 * server status and stop a VM before its volume is detached; they never create anything.
 */
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";

export interface OpenStackAuth {
  authUrl: string;
  region?: string;
  /** Catalog interface: public (default), internal or admin. */
  endpointType?: string;
  userName?: string;
  userId?: string;
  password?: string;
  applicationCredentialId?: string;
  applicationCredentialName?: string;
  applicationCredentialSecret?: string;
  token?: string;
  projectName?: string;
  projectId?: string;
  userDomainName?: string;
  userDomainId?: string;
  projectDomainName?: string;
  projectDomainId?: string;
  domainName?: string;
  domainId?: string;
  defaultDomain?: string;
  /** CA bundle: a file path or the PEM text itself (as the provider's cacertFile accepts). */
  cacert?: string;
  insecure?: boolean;
}

/** Raw provider settings: `openstack:<key>` config values (strings) by key. */
export type ProviderSettings = Record<string, string | undefined>;

const first = (...vs: Array<string | undefined>) => vs.find((v) => v !== undefined && v !== "");

/** clouds.yaml as openstacksdk and the provider look for it. */
function cloudsFiles(env: NodeJS.ProcessEnv, name: string): string[] {
  const explicit = name === "clouds.yaml" ? env.OS_CLIENT_CONFIG_FILE : env.OS_CLIENT_SECURE_FILE;
  return [
    ...(explicit ? [explicit] : []),
    path.resolve(name),
    path.join(os.homedir(), ".config", "openstack", name),
    path.join("/etc/openstack", name),
  ];
}

type CloudEntry = {
  auth?: Record<string, string | undefined>;
  region_name?: string;
  interface?: string;
  cacert?: string;
  verify?: boolean;
};

function cloudEntry(cloud: string, env: NodeJS.ProcessEnv): CloudEntry {
  const read = (name: string): CloudEntry | undefined => {
    for (const file of cloudsFiles(env, name)) {
      if (!fs.existsSync(file)) continue;
      const doc = yaml.load(fs.readFileSync(file, "utf8")) as { clouds?: Record<string, CloudEntry> };
      return doc?.clouds?.[cloud];
    }
    return undefined;
  };
  const base = read("clouds.yaml");
  if (!base)
    throw new Error(
      `openstack:cloud: no cloud named ${JSON.stringify(cloud)} in clouds.yaml (looked in ${cloudsFiles(env, "clouds.yaml").join(", ")}). ` +
        "Fix: name an entry of your clouds.yaml, or set openstack:authUrl and the credentials instead.",
    );
  const secure = read("secure.yaml") ?? {};
  return { ...base, ...secure, auth: { ...base.auth, ...secure.auth } };
}

/**
 * Resolves the provider's credentials. Throws with the field and the fix when there is no auth
 * URL; missing credentials are reported by `missingCredentials` (a preview needs none).
 */
export function resolveOpenStackAuth(settings: ProviderSettings, env: NodeJS.ProcessEnv): OpenStackAuth {
  const cloudName = first(settings.cloud, env.OS_CLOUD);
  const cloud: CloudEntry = cloudName ? cloudEntry(cloudName, env) : {};
  const a = cloud.auth ?? {};
  const auth: OpenStackAuth = {
    authUrl: first(settings.authUrl, env.OS_AUTH_URL, a.auth_url) ?? "",
    region: first(settings.region, env.OS_REGION_NAME, cloud.region_name),
    endpointType: first(settings.endpointType, env.OS_INTERFACE, env.OS_ENDPOINT_TYPE, cloud.interface),
    userName: first(settings.userName, env.OS_USERNAME, a.username),
    userId: first(settings.userId, env.OS_USER_ID, a.user_id),
    password: first(settings.password, env.OS_PASSWORD, a.password),
    applicationCredentialId: first(
      settings.applicationCredentialId,
      env.OS_APPLICATION_CREDENTIAL_ID,
      a.application_credential_id,
    ),
    applicationCredentialName: first(
      settings.applicationCredentialName,
      env.OS_APPLICATION_CREDENTIAL_NAME,
      a.application_credential_name,
    ),
    applicationCredentialSecret: first(
      settings.applicationCredentialSecret,
      env.OS_APPLICATION_CREDENTIAL_SECRET,
      a.application_credential_secret,
    ),
    token: first(settings.token, env.OS_AUTH_TOKEN, env.OS_TOKEN, a.token),
    projectName: first(
      settings.tenantName,
      env.OS_PROJECT_NAME,
      env.OS_TENANT_NAME,
      a.project_name,
      a.tenant_name,
    ),
    projectId: first(settings.tenantId, env.OS_PROJECT_ID, env.OS_TENANT_ID, a.project_id, a.tenant_id),
    userDomainName: first(settings.userDomainName, env.OS_USER_DOMAIN_NAME, a.user_domain_name),
    userDomainId: first(settings.userDomainId, env.OS_USER_DOMAIN_ID, a.user_domain_id),
    projectDomainName: first(settings.projectDomainName, env.OS_PROJECT_DOMAIN_NAME, a.project_domain_name),
    projectDomainId: first(settings.projectDomainId, env.OS_PROJECT_DOMAIN_ID, a.project_domain_id),
    domainName: first(settings.domainName, env.OS_DOMAIN_NAME, a.domain_name),
    domainId: first(settings.domainId, env.OS_DOMAIN_ID, a.domain_id),
    defaultDomain: first(settings.defaultDomain, env.OS_DEFAULT_DOMAIN),
    cacert: first(settings.cacertFile, env.OS_CACERT, cloud.cacert),
    insecure:
      (first(settings.insecure, env.OS_INSECURE) ?? (cloud.verify === false ? "true" : "")) === "true",
  };
  if (!auth.authUrl) {
    throw new Error(
      "openstack:authUrl: is not set (nor OS_AUTH_URL, nor a clouds.yaml entry through openstack:cloud). " +
        "Fix: `pulumi config set openstack:authUrl https://keystone.example.com:5000/v3`.",
    );
  }
  return Object.fromEntries(
    Object.entries(auth).filter(([, v]) => v !== undefined && v !== ""),
  ) as OpenStackAuth;
}

/** What is missing for Keystone to issue a token, as a config problem (undefined when complete). */
export function missingCredentials(auth: OpenStackAuth): string | undefined {
  if (auth.token) return undefined;
  if (auth.applicationCredentialSecret && (auth.applicationCredentialId || auth.applicationCredentialName))
    return undefined;
  if (auth.password && (auth.userName || auth.userId)) return undefined;
  return (
    "openstack:password: no OpenStack credentials for the stages (they ask Nova whether a VM is off and stop it before " +
    "its data volume is detached). Fix: `pulumi config set --secret openstack:password`, or export OS_PASSWORD " +
    "(or an application credential / clouds.yaml entry) as for the OpenStack provider."
  );
}
