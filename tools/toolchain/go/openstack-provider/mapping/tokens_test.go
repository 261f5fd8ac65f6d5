package mapping

import (
	"reflect"
	"strings"
	"testing"
)

func TestMatchTokensPrefersVersionedNameThenBareName(t *testing.T) {
	tf := []string{
		"openstack_blockstorage_volume_v2",
		"openstack_blockstorage_volume_v3",
		"openstack_networking_secgroup_rule_v2",
		"openstack_db_instance_v1",
		"openstack_fw_group_v2",
		"openstack_brand_new_v9",
	}
	sdk := []string{
		"openstack:blockstorage/volume:Volume",
		"openstack:blockstorage/volumeV2:VolumeV2",
		"openstack:networking/secGroupRule:SecGroupRule",
		"openstack:database/instance:Instance",
		"openstack:firewall/group:Group",
		"openstack:compute/gone:Gone",
	}
	got, err := matchTokens(tf, sdk, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"openstack_blockstorage_volume_v2":      "openstack:blockstorage/volumeV2:VolumeV2",
		"openstack_blockstorage_volume_v3":      "openstack:blockstorage/volume:Volume",
		"openstack_networking_secgroup_rule_v2": "openstack:networking/secGroupRule:SecGroupRule",
		"openstack_db_instance_v1":              "openstack:database/instance:Instance",
		"openstack_fw_group_v2":                 "openstack:firewall/group:Group",
	}
	if !reflect.DeepEqual(got.ByTFName, want) {
		t.Errorf("ByTFName = %v, want %v", got.ByTFName, want)
	}
	if !reflect.DeepEqual(got.UnmappedTF, []string{"openstack_brand_new_v9"}) {
		t.Errorf("UnmappedTF = %v", got.UnmappedTF)
	}
	if !reflect.DeepEqual(got.UnusedTokens, []string{"openstack:compute/gone:Gone"}) {
		t.Errorf("UnusedTokens = %v", got.UnusedTokens)
	}
}

func TestMatchTokensStripsGetForFunctionsAndHonoursPins(t *testing.T) {
	tf := []string{"openstack_networking_network_v2", "openstack_dns_zone_v2", "openstack_fw_policy_v2"}
	sdk := []string{
		"openstack:networking/getNetwork:getNetwork",
		"openstack:dns/getDnsZone:getDnsZone",
		"openstack:index/getFwPolicyV2:getFwPolicyV2",
	}
	pins := map[string]string{"openstack_dns_zone_v2": "openstack:dns/getDnsZone:getDnsZone"}
	got, err := matchTokens(tf, sdk, pins, true)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"openstack_networking_network_v2": "openstack:networking/getNetwork:getNetwork",
		"openstack_dns_zone_v2":           "openstack:dns/getDnsZone:getDnsZone",
		"openstack_fw_policy_v2":          "openstack:index/getFwPolicyV2:getFwPolicyV2",
	}
	if !reflect.DeepEqual(got.ByTFName, want) {
		t.Errorf("ByTFName = %v, want %v", got.ByTFName, want)
	}
}

func TestMatchTokensRefusesToGuessBetweenTwoVersions(t *testing.T) {
	tf := []string{"openstack_compute_thing_v1", "openstack_compute_thing_v2"}
	sdk := []string{"openstack:compute/thing:Thing"}
	_, err := matchTokens(tf, sdk, nil, false)
	if err == nil || !strings.Contains(err.Error(), "pin one") {
		t.Fatalf("want an ambiguity error, got %v", err)
	}
}

func TestMatchTokensRejectsPinsToUnknownNames(t *testing.T) {
	_, err := matchTokens([]string{"openstack_a_b_v1"}, []string{"openstack:a/b:B"},
		map[string]string{"openstack_a_b_v1": "openstack:a/typo:Typo"}, false)
	if err == nil {
		t.Fatal("want an error for a pin to a token the SDK lacks")
	}
}

// The real mapping: every SDK token of @pulumi/openstack 3.15.2 must find its Terraform name.
func TestEverySDKTokenIsMapped(t *testing.T) {
	_, report, err := providerInfo()
	if err != nil {
		t.Fatal(err)
	}
	if len(report.Resources.UnusedTokens) > 0 || len(report.DataSources.UnusedTokens) > 0 {
		t.Errorf("SDK tokens without a Terraform resource: %v %v",
			report.Resources.UnusedTokens, report.DataSources.UnusedTokens)
	}
}
