import { ResourceValidationPolicy } from "@pulumi/policy";
import { TYPES } from "./types";

const CM_STAGES: string[] = [TYPES.cmHost, TYPES.cmRole, TYPES.cmRefresh];

/** The CM password travels with every request: only over TLS, to a verified server. */
export function cmHttps(): ResourceValidationPolicy {
  return {
    name: "ecs-cm-https",
    description: "Cloudera Manager is reached over HTTPS with certificate verification.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
      if (!CM_STAGES.includes(args.type)) return;
      const url = String(args.props.cmUrl ?? "");
      if (!url.startsWith("https://")) {
        reportViolation(
          `${args.name} talks to Cloudera Manager at ${url || "(no URL)"} without TLS. ` +
            "Fix: use the https URL (port 7183) in ecs:cloudera.url.",
        );
      }
      if (args.props.cmInsecureSkipTlsVerify === true) {
        reportViolation(
          `${args.name} skips verification of Cloudera Manager's certificate. ` +
            "Fix: set ecs:cloudera.tlsVerify: true and ecs:cloudera.caBundle to the CA that signed CM's certificate.",
        );
      }
    },
  };
}
