import { loadConfig } from "./components/config/load";
import { EcsCluster } from "./components/ecsCluster";

// Validate everything first: a bad config fails here, before any resource is registered.
const { cluster, cmPassword, cmCaBundle, kubeconfig } = loadConfig();

const ecs = new EcsCluster(cluster.name, { cluster, cmPassword, cmCaBundle, kubeconfig });

export const clusterName = cluster.name;
export const nodes = ecs.nodeSummary();
