import { PolicyPack } from "@pulumi/policy";
import { ecsPolicies } from "./src";

new PolicyPack("ecs-cluster", { policies: ecsPolicies() });
