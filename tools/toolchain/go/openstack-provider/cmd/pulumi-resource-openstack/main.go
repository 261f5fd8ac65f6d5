// Command pulumi-resource-openstack is the Pulumi resource provider plugin for the openstack
// package, version 3.15.2. build.sh generates schema-embed.json with pulumi-tfgen-openstack first.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"

	"ecs-pulumi.local/toolchain/openstack-provider/mapping"
)

//go:embed schema-embed.json
var pulumiSchema []byte

func main() {
	tfbridge.Main("openstack", mapping.Version, mapping.Provider(), pulumiSchema)
}
