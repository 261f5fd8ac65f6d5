import { ResourceValidationPolicy } from "@pulumi/policy";
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { ecsRoleOf, nodeNameOf } from "./types";

export interface FlavorSize {
  vcpus: number;
  ramGb: number;
}

export interface FlavorPolicyConfig {
  /** Minimum size per ECS role. */
  minimums: Record<"server" | "agent", FlavorSize>;
  /** Known flavors (name -> size); names like "x.16c64g" are also understood without an entry. */
  flavors: Record<string, FlavorSize>;
}

/** ECS hardware minimums for Data Services nodes: 16 vCPU and 64 GiB RAM per node. */
export const DEFAULT_FLAVOR_CONFIG: FlavorPolicyConfig = {
  minimums: { server: { vcpus: 16, ramGb: 64 }, agent: { vcpus: 16, ramGb: 64 } },
  flavors: {
    "ecs.server.16c64g": { vcpus: 16, ramGb: 64 },
    "ecs.agent.32c128g": { vcpus: 32, ramGb: 128 },
  },
};

/** Size from the catalog, else from a "<n>c<m>g" suffix in the flavor name. */
export function flavorSize(name: string, catalog: Record<string, FlavorSize>): FlavorSize | undefined {
  if (catalog[name]) return catalog[name];
  const m = /(\d+)c(\d+)g$/i.exec(name);
  return m ? { vcpus: Number(m[1]), ramGb: Number(m[2]) } : undefined;
}

const sizeSchema: PolicyConfigJSONSchema = {
  type: "object",
  properties: { vcpus: { type: "number" }, ramGb: { type: "number" } },
  required: ["vcpus", "ramGb"],
};

export function flavorMinimums(): ResourceValidationPolicy {
  return {
    name: "ecs-flavor-minimums",
    description: "ECS node flavors meet the ECS minimums (vCPU, RAM) for their role.",
    enforcementLevel: "mandatory",
    configSchema: {
      properties: {
        minimums: {
          type: "object",
          properties: { server: sizeSchema, agent: sizeSchema },
          default: DEFAULT_FLAVOR_CONFIG.minimums,
        },
        flavors: { type: "object", additionalProperties: sizeSchema, default: DEFAULT_FLAVOR_CONFIG.flavors },
      },
    },
    validateResource: (args, reportViolation) => {
      const role = ecsRoleOf(args.type, args.props);
      if (!role) return;
      const config = { ...DEFAULT_FLAVOR_CONFIG, ...args.getConfig<Partial<FlavorPolicyConfig>>() };
      const flavor = String(args.props.flavorName ?? "");
      const size = flavorSize(flavor, config.flavors);
      const min = config.minimums[role];
      if (!size) {
        reportViolation(
          `ECS ${role} node ${nodeNameOf(args.props)} uses flavor "${flavor}" whose size the policy does not know. ` +
            `Fix: add it to the ecs-flavor-minimums "flavors" config as {"vcpus": N, "ramGb": M}.`,
        );
      } else if (size.vcpus < min.vcpus || size.ramGb < min.ramGb) {
        reportViolation(
          `ECS ${role} node ${nodeNameOf(args.props)} uses flavor "${flavor}" (${size.vcpus} vCPU, ${size.ramGb} GiB), ` +
            `below the ECS ${role} minimum of ${min.vcpus} vCPU and ${min.ramGb} GiB. Fix: choose a larger flavor.`,
        );
      }
    },
  };
}

export const DEFAULT_ALLOWED_IMAGES = ["centos-7.9-ecs", "rhel-8.8-ecs", "rhel-8.10-ecs"];

export function imageAllowed(): ResourceValidationPolicy {
  return {
    name: "ecs-image-allowed",
    description: "ECS nodes boot from an image on the allowed list.",
    enforcementLevel: "mandatory",
    configSchema: {
      properties: {
        allowedImages: { type: "array", items: { type: "string" }, default: DEFAULT_ALLOWED_IMAGES },
      },
    },
    validateResource: (args, reportViolation) => {
      if (!ecsRoleOf(args.type, args.props)) return;
      const allowed = args.getConfig<{ allowedImages?: string[] }>().allowedImages ?? DEFAULT_ALLOWED_IMAGES;
      const image = String(args.props.imageName ?? args.props.imageId ?? "");
      if (!allowed.includes(image)) {
        reportViolation(
          `ECS node ${nodeNameOf(args.props)} boots from image "${image}", which is not on the allowed list ` +
            `(${allowed.join(", ")}). Fix: use an allowed image, or add it to the ecs-image-allowed "allowedImages" config.`,
        );
      }
    },
  };
}
