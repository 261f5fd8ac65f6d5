import * as pulumi from "@pulumi/pulumi";
import { stageProvider, storedStageProvider } from "../../dynamicStages";
import { ClusterHostArgs } from "./cluster-host";
import { RefreshArgs } from "./refresh";
import { RoleArgs } from "./role";

/** The program's shared dynamic provider (components/dynamicStages.ts) runs the CM stages too. */
export const cmStageProvider = stageProvider;

/** `ecs:cloudera:ClusterHost` (engine type token `pulumi-nodejs:dynamic/cloudera:ClusterHost`). */
export class ClusterHost extends pulumi.dynamic.Resource {
  declare readonly hostId: pulumi.Output<string>;
  declare readonly hostname: pulumi.Output<string>;
  declare readonly stage: pulumi.Output<string>;

  constructor(name: string, args: ClusterHostArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      storedStageProvider,
      name,
      { ...args, cmPassword: pulumi.secret(args.cmPassword), hostId: undefined, stage: undefined },
      { ...opts, additionalSecretOutputs: ["cmPassword"] },
      "cloudera",
      "ClusterHost",
    );
  }
}

/** `ecs:cloudera:Role` (engine type token `pulumi-nodejs:dynamic/cloudera:Role`). */
export class Role extends pulumi.dynamic.Resource {
  declare readonly roleName: pulumi.Output<string>;
  declare readonly dockerRoleName: pulumi.Output<string | undefined>;
  declare readonly stage: pulumi.Output<string>;

  constructor(name: string, args: RoleArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      storedStageProvider,
      name,
      {
        ...args,
        cmPassword: pulumi.secret(args.cmPassword),
        roleName: undefined,
        dockerRoleName: undefined,
        stage: undefined,
      },
      { ...opts, additionalSecretOutputs: ["cmPassword"] },
      "cloudera",
      "Role",
    );
  }
}

/** `ecs:cloudera:Refresh` (engine type token `pulumi-nodejs:dynamic/cloudera:Refresh`). */
export class Refresh extends pulumi.dynamic.Resource {
  declare readonly refreshedAt: pulumi.Output<string>;
  declare readonly stage: pulumi.Output<string>;

  constructor(name: string, args: RefreshArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      storedStageProvider,
      name,
      { ...args, cmPassword: pulumi.secret(args.cmPassword), refreshedAt: undefined, stage: undefined },
      { ...opts, additionalSecretOutputs: ["cmPassword"] },
      "cloudera",
      "Refresh",
    );
  }
}
