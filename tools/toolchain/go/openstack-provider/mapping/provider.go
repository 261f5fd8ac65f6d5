// Package mapping is our own Pulumi bridge mapping of terraform-provider-openstack v1.54.1, the
// Terraform provider that @pulumi/openstack 3.15.2 wraps. The upstream mapping module
// (pulumi-openstack/provider/v3) is not served by the module proxy, so this one derives the
// same tokens from the SDK itself (sdk-tokens.json) and adds the few overrides the SDK needs.
package mapping

import (
	"fmt"
	"os"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	shimv2 "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfshim/sdk-v2"
	"github.com/terraform-provider-openstack/terraform-provider-openstack/openstack"
)

// Version is the @pulumi/openstack npm SDK version this plugin serves.
const Version = "3.15.2"

// Provider returns the bridge's ProviderInfo for the openstack package.
func Provider() tfbridge.ProviderInfo {
	info, report, err := providerInfo()
	if err != nil {
		// A broken mapping is a build-time bug: fail loudly rather than serve a partial provider.
		panic(fmt.Sprintf("openstack provider mapping: %v", err))
	}
	if os.Getenv("OPENSTACK_MAPPING_REPORT") != "" {
		printReport(report)
	}
	return info
}

func providerInfo() (tfbridge.ProviderInfo, mappingReport, error) {
	tfProvider := openstack.Provider()
	resources, dataSources, report, err := tokenTables(tfProvider)
	if err != nil {
		return tfbridge.ProviderInfo{}, report, err
	}
	info := tfbridge.ProviderInfo{
		P:              shimv2.NewProvider(tfProvider),
		Name:           "openstack",
		Version:        Version,
		Description:    "A Pulumi package for creating and managing OpenStack cloud resources.",
		Keywords:       []string{"pulumi", "openstack"},
		License:        "Apache-2.0",
		Homepage:       "https://pulumi.io",
		Repository:     "https://github.com/pulumi/pulumi-openstack",
		GitHubOrg:      "terraform-provider-openstack",
		Config:         providerConfig(),
		Resources:      resources,
		DataSources:    dataSources,
		IgnoreMappings: report.Ignored(),
	}
	if err := applyFieldOverrides(&info); err != nil {
		return tfbridge.ProviderInfo{}, report, err
	}
	// Like the SDK: a resource's "name" input is optional and defaults to "<resource name>-<random>".
	info.SetAutonaming(255, "-")
	return info, report, nil
}

func printReport(report mappingReport) {
	fmt.Fprintf(os.Stderr, "[mapping] resources: %d mapped, TF-only %v, SDK-only %v\n",
		len(report.Resources.ByTFName), report.Resources.UnmappedTF, report.Resources.UnusedTokens)
	fmt.Fprintf(os.Stderr, "[mapping] data sources: %d mapped, TF-only %v, SDK-only %v\n",
		len(report.DataSources.ByTFName), report.DataSources.UnmappedTF, report.DataSources.UnusedTokens)
}
