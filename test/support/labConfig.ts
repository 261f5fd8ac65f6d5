import type { OpenStackSimulator } from "../../lab/openstack/server";
import { LAB_FLAVORS, LAB_NODES as NODES } from "../../lab/ecs";
import { labStackConfig as fullLabConfig, LabConfigMap } from "../../lab/ecs/stackConfig";

export { LAB_FLAVORS };

/** The lab's nodes in the shape the machine-only tests use. */
export const LAB_NODES = NODES.map((n) => ({ name: n.name, ip: n.ip, role: n.role }));

/** Stack config for the machine-only fixture: the OpenStack simulator and a placeholder CM. */
export function labStackConfig(sim: OpenStackSimulator, password: string, cmUrl: string): LabConfigMap {
  return fullLabConfig({
    openstack: sim,
    openstackPassword: password,
    cmUrl,
    cmPassword: "unused-cm-password",
  });
}
