package mapping

import (
	"fmt"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
)

// fieldOverrides holds per-resource field settings where the SDK's property names or shapes
// differ from what the bridge derives from the Terraform schema alone. Found by
// scripts/compare-schema.ts; each entry says why.
var fieldOverrides = map[string]map[string]*tfbridge.SchemaInfo{
	// The Terraform schema caps "policies" at one item, which the bridge would flatten to a single
	// value; the SDK kept it a list (string[]).
	"openstack_compute_servergroup_v2": {
		"policies": {MaxItemsOne: boolPtr(false)},
	},
	// Both "allocation_pool" and "allocation_pools" exist; plain pluralizing would collide, so the
	// SDK gave the old block the plural name and the new one a "Collection" suffix.
	"openstack_networking_subnet_v2": {
		"allocation_pool":  {Name: "allocationPools"},
		"allocation_pools": {Name: "allocationPoolsCollection"},
	},
	// C# only (a member may not share its class's name); kept so the schema equals the published one.
	"openstack_lb_members_v2": {
		"member": {CSharpName: "MemberList"},
	},
	// The SDK names the stack's "outputs" block "StackOutputs" (capital S, as published).
	"openstack_orchestration_stack_v1": {
		"outputs": {Name: "StackOutputs"},
	},
}

func boolPtr(b bool) *bool { return &b }

func applyFieldOverrides(info *tfbridge.ProviderInfo) error {
	for tfName, fields := range fieldOverrides {
		resource, ok := info.Resources[tfName]
		if !ok {
			return fmt.Errorf("field override for unmapped resource %q", tfName)
		}
		if resource.Fields == nil {
			resource.Fields = map[string]*tfbridge.SchemaInfo{}
		}
		for field, schemaInfo := range fields {
			resource.Fields[field] = schemaInfo
		}
	}
	return nil
}
