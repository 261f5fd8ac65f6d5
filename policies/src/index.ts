import { Policies } from "@pulumi/policy";
import { cmHttps } from "./cloudera";
import { nodeDeleteBeforeReplace, stageChainWired } from "./lifecycle";
import { noWorldOpenControlPorts, noWorldOpenTogether } from "./network";
import { noPlaintextSecrets } from "./secrets";
import { flavorMinimums, imageAllowed } from "./sizing";
import { oddServerCount, serverGroupAffinity } from "./topology";

/** Every rule of the pack, in the order a reviewer reads them. */
export function ecsPolicies(): Policies {
  return [
    oddServerCount(),
    serverGroupAffinity(),
    noWorldOpenControlPorts(),
    noWorldOpenTogether(),
    nodeDeleteBeforeReplace(),
    stageChainWired(),
    cmHttps(),
    flavorMinimums(),
    imageAllowed(),
    noPlaintextSecrets(),
  ];
}
