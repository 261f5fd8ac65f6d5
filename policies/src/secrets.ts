import { ResourceValidationPolicy } from "@pulumi/policy";
import { TYPES } from "./types";

/** Text that only a secret would contain: key material, credentials on a command line or in a URL. */
const SECRET_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, "a private key"],
  [/\b(password|passwd|pwd)\s*[=:]\s*\S+/i, "a password assignment"],
  [/--password[= ]\S+/i, "a --password argument"],
  [/authorization:\s*basic\s+[a-z0-9+/=]+/i, "a basic-auth header"],
  [/https?:\/\/[^/\s:@]+:[^/\s@]+@/i, "credentials in a URL"],
];

/** Inputs whose text ends up in state, process lists or the metadata service. */
const TEXT_INPUTS: Record<string, string[]> = {
  [TYPES.instance]: ["userData"],
  [TYPES.command]: ["create", "update", "delete"],
  [TYPES.remoteCommand]: ["create", "update", "delete"],
};

/** Dynamic stages that carry the CM password or the OpenStack credentials must mark them as secret outputs. */
const SECRET_OUTPUTS: Record<string, string[]> = {
  [TYPES.cmHost]: ["cmPassword"],
  [TYPES.cmRole]: ["cmPassword"],
  [TYPES.cmRefresh]: ["cmPassword"],
  [TYPES.vmPower]: ["openstackAuth"],
};

export function noPlaintextSecrets(): ResourceValidationPolicy {
  return {
    name: "ecs-no-plaintext-secrets",
    description:
      "Secrets are Pulumi secrets: none in user data or command text, no Nova admin password, CM and OpenStack credentials marked secret.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
      for (const key of TEXT_INPUTS[args.type] ?? []) {
        const text = args.props[key];
        if (typeof text !== "string") continue;
        for (const [pattern, what] of SECRET_PATTERNS) {
          if (pattern.test(text)) {
            reportViolation(
              `${args.name}.${key} contains ${what}, which would be stored in plain text. ` +
                "Fix: pass it as a Pulumi secret (environment, stdin or a secret input), never inside the text.",
            );
          }
        }
      }
      if (args.type === TYPES.instance && args.props.adminPass !== undefined) {
        reportViolation(`${args.name} sets adminPass. Fix: remove it and use the key pair for access.`);
      }
      for (const key of SECRET_OUTPUTS[args.type] ?? []) {
        if (args.props[key] !== undefined && !args.opts.additionalSecretOutputs.includes(key)) {
          reportViolation(
            `${args.name} carries ${key} without marking it secret. Fix: add "${key}" to additionalSecretOutputs.`,
          );
        }
      }
    },
  };
}
