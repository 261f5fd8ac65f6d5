/**
 * Starts a stack for a real cluster from an example stack's settings, without its secrets:
 *   npm run stack:new -- <name> [--from dev] [--secrets-provider passphrase|awskms://…|…]
 * Copying Pulumi.dev.yaml by hand would also copy dev's encryptionsalt and its secure values,
 * which only the public example passphrase decrypts. This writes Pulumi.<name>.yaml with the
 * plain settings, lets `pulumi stack init` make the stack's own encryption, and prints which
 * secrets to set.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { parseArgs } from "util";
import { childEnv, EXAMPLE_STACKS, REPO_ROOT } from "./pulumiEnv";

/** The secrets a stack needs: how to set them, and the alternatives. */
const SECRETS = [
  ["config set --secret ecs:cmPassword", ""],
  ["config set --secret ecs:sshPrivateKey", " < <private key file>"],
  ["config set --secret openstack:password", "   (or OS_PASSWORD, or openstack:cloud and a clouds.yaml)"],
] as const;

/** The example's config without its secure values (they belong to the example's encryption). */
export function plainConfig(doc: { config?: Record<string, unknown> }): Record<string, unknown> {
  const isSecure = (v: unknown) => typeof v === "object" && v !== null && "secure" in v;
  return Object.fromEntries(Object.entries(doc.config ?? {}).filter(([, v]) => !isSecure(v)));
}

function main(): number {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      from: { type: "string", default: "dev" },
      "secrets-provider": { type: "string", default: "passphrase" },
    },
  });
  const [name] = positionals;
  if (!name || !/^[A-Za-z0-9_.-]+$/.test(name)) {
    console.error(
      "usage: npm run stack:new -- <name> [--from dev] [--secrets-provider passphrase|<kms url>]",
    );
    return 2;
  }
  if (EXAMPLE_STACKS.has(name)) {
    console.error(`error: ${name} is an example stack; pick another name`);
    return 2;
  }
  const target = path.join(REPO_ROOT, `Pulumi.${name}.yaml`);
  if (fs.existsSync(target)) {
    console.error(`error: ${target} exists already; nothing was changed`);
    return 2;
  }
  const provider = values["secrets-provider"]!;
  if (
    provider === "passphrase" &&
    !process.env.PULUMI_CONFIG_PASSPHRASE &&
    !process.env.PULUMI_CONFIG_PASSPHRASE_FILE
  ) {
    console.error(
      "error: a passphrase stack needs its own passphrase. Fix: export PULUMI_CONFIG_PASSPHRASE (or " +
        "PULUMI_CONFIG_PASSPHRASE_FILE), or pass --secrets-provider <kms url>.",
    );
    return 2;
  }
  const source = path.join(REPO_ROOT, `Pulumi.${values.from}.yaml`);
  const config = plainConfig(
    yaml.load(fs.readFileSync(source, "utf8")) as { config?: Record<string, unknown> },
  );
  const init = spawnSync(
    "pulumi",
    ["stack", "init", name, "--secrets-provider", provider, "--non-interactive"],
    {
      cwd: REPO_ROOT,
      env: childEnv(),
      stdio: "inherit",
    },
  );
  if (init.status !== 0) return init.status ?? 1;
  // stack init wrote the stack's own encryption settings; add the example's plain settings to them.
  const own = fs.existsSync(target)
    ? ((yaml.load(fs.readFileSync(target, "utf8")) ?? {}) as Record<string, unknown>)
    : {};
  fs.writeFileSync(
    target,
    `# Settings copied from ${path.basename(source)} without its secrets: edit them for your cluster (README, Configuration).\n` +
      yaml.dump({ ...own, config }, { lineWidth: 120 }),
  );
  console.log(`wrote ${target} (from ${path.basename(source)}, secrets left out). Now set the secrets:`);
  for (const [how, rest] of SECRETS) console.log(`  npm run pulumi -- ${how} --stack ${name}${rest}`);
  console.log("and each server's ecs:nodes[i].sshHostKey; then: npm run pulumi -- preview --stack " + name);
  return 0;
}

if (require.main === module) process.exitCode = main();
