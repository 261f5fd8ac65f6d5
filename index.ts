import { loadConfig } from "./components/config/load";
import { EcsCluster } from "./components/ecsCluster";

// Validate everything first: a bad config fails here, before any resource is registered.
const { cluster, cmPassword, cmCaBundle, kubeconfig, sshPrivateKey, openstackAuth } = loadConfig();

const ecs = new EcsCluster(cluster.name, {
  cluster,
  cmPassword,
  cmCaBundle,
  kubeconfig,
  sshPrivateKey,
  openstackAuth,
});

export const clusterName = cluster.name;
export const nodes = ecs.nodeSummary();
/** What the last node change did, stage by stage (also in <runRecordDir>/records.jsonl; `npm run record`). */
export const runRecord = ecs.runRecord();
