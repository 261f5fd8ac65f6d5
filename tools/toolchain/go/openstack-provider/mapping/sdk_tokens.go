package mapping

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-sdk/v2/helper/schema"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
)

// sdkTokensJSON lists the tokens of the npm SDK this provider must serve; regenerate it with
// scripts/write-sdk-tokens.ts when the SDK version changes.
//
//go:embed sdk-tokens.json
var sdkTokensJSON []byte

type sdkTokenList struct {
	SDKVersion string   `json:"sdkVersion"`
	Resources  []string `json:"resources"`
	Functions  []string `json:"functions"`
}

// pinnedResourceTokens and pinnedDataSourceTokens hold the SDK names that the matching rule in
// tokens.go cannot derive (the SDK spelled them irregularly, typos included).
var pinnedResourceTokens = map[string]string{
	"openstack_blockstorage_quotaset_v2": "openstack:blockstorage/quoteSetV2:QuoteSetV2",
	"openstack_blockstorage_quotaset_v3": "openstack:blockstorage/quoteSetV3:QuoteSetV3",
	"openstack_objectstorage_object_v1":  "openstack:objectstorage/containerObject:ContainerObject",
}

var pinnedDataSourceTokens = map[string]string{
	"openstack_dns_zone_v2":                            "openstack:dns/getDnsZone:getDnsZone",
	"openstack_sharedfilesystem_availability_zones_v2": "openstack:sharedfilesystem/getAvailbilityZones:getAvailbilityZones",
}

// tokenTables maps every Terraform resource and data source of tfProvider that the SDK knows to
// the SDK's token. ignored lists the Terraform names the SDK has no token for.
func tokenTables(tfProvider *schema.Provider) (
	resources map[string]*tfbridge.ResourceInfo,
	dataSources map[string]*tfbridge.DataSourceInfo,
	report mappingReport,
	err error,
) {
	var list sdkTokenList
	if err = json.Unmarshal(sdkTokensJSON, &list); err != nil {
		return nil, nil, report, fmt.Errorf("reading sdk-tokens.json: %w", err)
	}
	if strings.TrimPrefix(list.SDKVersion, "v") != Version {
		return nil, nil, report, fmt.Errorf("sdk-tokens.json lists SDK %s, not %s", list.SDKVersion, Version)
	}

	resourceMatch, err := matchTokens(keys(tfProvider.ResourcesMap), list.Resources, pinnedResourceTokens, false)
	if err != nil {
		return nil, nil, report, fmt.Errorf("resources: %w", err)
	}
	dataMatch, err := matchTokens(keys(tfProvider.DataSourcesMap), list.Functions, pinnedDataSourceTokens, true)
	if err != nil {
		return nil, nil, report, fmt.Errorf("data sources: %w", err)
	}

	resources = map[string]*tfbridge.ResourceInfo{}
	for tfName, token := range resourceMatch.ByTFName {
		resources[tfName] = &tfbridge.ResourceInfo{Tok: tokens.Type(token)}
	}
	dataSources = map[string]*tfbridge.DataSourceInfo{}
	for tfName, token := range dataMatch.ByTFName {
		dataSources[tfName] = &tfbridge.DataSourceInfo{Tok: tokens.ModuleMember(token)}
	}
	report = mappingReport{Resources: resourceMatch, DataSources: dataMatch}
	return resources, dataSources, report, nil
}

// mappingReport says what the SDK token matching left out, for the tfgen log and tests.
type mappingReport struct {
	Resources   tokenMatch
	DataSources tokenMatch
}

// Ignored is what ProviderInfo.IgnoreMappings needs: Terraform names without an SDK token.
func (r mappingReport) Ignored() []string {
	return append(append([]string(nil), r.Resources.UnmappedTF...), r.DataSources.UnmappedTF...)
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
