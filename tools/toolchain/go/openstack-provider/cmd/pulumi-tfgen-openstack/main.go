// Command pulumi-tfgen-openstack writes the Pulumi schema of our openstack mapping:
//
//	pulumi-tfgen-openstack schema --skip-docs --skip-examples --out <dir>
package main

import (
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfgen"

	"ecs-pulumi.local/toolchain/openstack-provider/mapping"
)

func main() {
	tfgen.Main("openstack", mapping.Version, mapping.Provider())
}
