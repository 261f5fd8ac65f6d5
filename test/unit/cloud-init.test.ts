import * as assert from "assert";
import * as yaml from "js-yaml";
import { validateClusterConfig } from "../../components/config/validate";
import { renderUserData } from "../../components/node/cloudInit";
import { clone, readStackConfig } from "../support/stackConfig";

/**
 * User data is a replace-on-change input of every VM: any byte it changes for an unchanged config
 * would rebuild every node on the next update. This is the dev stack's ds01 as the code of every
 * release so far renders it (taken from the commit before the config checks of issue 13).
 */
const GOLDEN_DS01 = [
  "#cloud-config",
  "# ecs-pulumi: node ds01 (server), rebuild generation 0",
  "hostname: ds01",
  "fqdn: ds01.ecs.openstack.com",
  "prefer_fqdn_over_hostname: true",
  "manage_etc_hosts: true",
  "yum_repos:",
  "  cloudera-manager:",
  "    name: Cloudera Manager",
  "    baseurl: https://archive.cloudera.com/p/cm7/7.8.1/redhat7/yum",
  "    gpgkey: https://archive.cloudera.com/p/cm7/7.8.1/redhat7/yum/RPM-GPG-KEY-cloudera",
  "    gpgcheck: true",
  "    enabled: true",
  "packages:",
  "  - cloudera-manager-agent",
  "  - cloudera-manager-daemons",
  "runcmd:",
  "  - [sh, -c, \"for i in $(seq 1 300); do [ -b /dev/vdb ] && break; sleep 1; done; blkid /dev/vdb || mkfs.xfs /dev/vdb; mkdir -p /ecs; grep -q ' /ecs ' /etc/fstab || echo '/dev/vdb /ecs xfs defaults,nofail 0 2' >> /etc/fstab; mount -a\"]",
  '  - [sed, -i, "s/^server_host=.*/server_host=cm.ecs.openstack.com/", /etc/cloudera-scm-agent/config.ini]',
  "  - [systemctl, enable, --now, cloudera-scm-agent]",
  "",
].join("\n");

describe("cloud-init user data", () => {
  const config = validateClusterConfig(clone(readStackConfig("dev")));

  it("keeps the same bytes for an unchanged config (no VM is replaced by an upgrade)", () => {
    assert.strictEqual(renderUserData(config.nodes[0], config.cloudera), GOLDEN_DS01);
  });

  it("keeps its structure: every config value lands as one scalar", () => {
    for (const node of config.nodes) {
      const doc = yaml.load(renderUserData(node, config.cloudera)) as Record<string, unknown>;
      assert.deepStrictEqual(Object.keys(doc), [
        "hostname",
        "fqdn",
        "prefer_fqdn_over_hostname",
        "manage_etc_hosts",
        "yum_repos",
        "packages",
        "runcmd",
      ]);
      assert.strictEqual((doc.runcmd as unknown[]).length, 3);
      assert.strictEqual(doc.fqdn, node.hostname);
    }
  });
});
