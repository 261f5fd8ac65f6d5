// Stack configuration for the program process. @pulumi/pulumi reads it from PULUMI_CONFIG (a JSON
// object) and PULUMI_CONFIG_SECRET_KEYS (a JSON array). Both go through the environment, never the
// command line, so secret values do not show up in process listings.

/**
 * Keys arrive as `<namespace>:<name>` (or the legacy `<namespace>:config:<name>`); like the Go host we
 * hand them to the SDK in the legacy form, which every @pulumi/pulumi version understands.
 */
export function legacyConfigKey(key: string): string {
  const parts = key.split(":");
  if (parts.length === 2) return `${parts[0]}:config:${parts[1]}`;
  if (parts.length === 3 && parts[1] === "config" && parts[0] !== "" && parts[2] !== "") return key;
  throw new Error(
    `could not parse ${key} as a configuration key (configuration keys should be of the form \`<namespace>:<name>\`)`,
  );
}

export function configEnv(
  config: Map<string, string>,
  secretKeys: readonly string[],
): Record<string, string> {
  const transformed: Record<string, string> = {};
  for (const [key, value] of config) {
    transformed[legacyConfigKey(key)] = value;
  }
  return {
    PULUMI_CONFIG: JSON.stringify(transformed),
    PULUMI_CONFIG_SECRET_KEYS: JSON.stringify([...secretKeys]),
  };
}
