package mapping

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// tfPrefixOfSDKModule gives the Terraform name prefix of the SDK modules whose folder name
// differs from it (openstack_db_* lives in database/, openstack_fw_* in firewall/, ...).
// The SDK put three firewall v2 data sources in the index module, hence the empty prefix.
var tfPrefixOfSDKModule = map[string]string{
	"database":     "db",
	"firewall":     "fw",
	"loadbalancer": "lb",
	"index":        "",
}

var tfVersionSuffix = regexp.MustCompile(`_v[0-9]+$`)

// tokenMatch is the outcome of pairing Terraform names with SDK tokens.
type tokenMatch struct {
	ByTFName     map[string]string // Terraform name -> Pulumi token
	UnmappedTF   []string          // Terraform names the SDK has no token for
	UnusedTokens []string          // SDK tokens that no Terraform name claimed
}

// normalize drops case and underscores so that "secgroup_rule" and "SecGroupRule" compare equal.
func normalize(s string) string {
	return strings.ToLower(strings.ReplaceAll(s, "_", ""))
}

// sdkMatchKey turns "openstack:networking/getSecGroup:getSecGroup" into "networkingsecgroup",
// the form its Terraform name "openstack_networking_secgroup_v2" takes once normalized.
func sdkMatchKey(token string, isFunction bool) (string, error) {
	parts := strings.Split(token, ":")
	if len(parts) != 3 || !strings.Contains(parts[1], "/") {
		return "", fmt.Errorf("malformed SDK token %q", token)
	}
	module := strings.SplitN(parts[1], "/", 2)[0]
	name := parts[2]
	if isFunction {
		name = strings.TrimPrefix(name, "get")
	}
	prefix, renamed := tfPrefixOfSDKModule[module]
	if !renamed {
		prefix = module
	}
	return normalize(prefix + name), nil
}

// matchTokens pairs Terraform resource (or data source) names with the SDK's tokens.
// Pinned pairs come first. Then a Terraform name takes the SDK token whose key equals its full
// normalized name ("blockstoragevolumev2" -> VolumeV2), and only then the key without its
// version suffix ("blockstoragevolumev3" -> Volume). Two names competing for one token in that
// last step is an error: it needs a pinned pair rather than a guess.
func matchTokens(tfNames, sdkTokens []string, pinned map[string]string, isFunction bool) (tokenMatch, error) {
	match := tokenMatch{ByTFName: map[string]string{}}
	claimed := map[string]bool{}
	known := map[string]bool{}
	byKey := map[string]string{}
	for _, token := range sdkTokens {
		known[token] = true
		key, err := sdkMatchKey(token, isFunction)
		if err != nil {
			return match, err
		}
		if other, dup := byKey[key]; dup {
			return match, fmt.Errorf("SDK tokens %q and %q both match key %q", other, token, key)
		}
		byKey[key] = token
	}

	names := append([]string(nil), tfNames...)
	sort.Strings(names)
	isTF := map[string]bool{}
	for _, name := range names {
		isTF[name] = true
	}
	for name, token := range pinned {
		if !isTF[name] {
			return match, fmt.Errorf("pinned Terraform name %q is not in the Terraform provider", name)
		}
		if !known[token] {
			return match, fmt.Errorf("pinned token %q (for %q) is not in the SDK", token, name)
		}
		match.ByTFName[name] = token
		claimed[token] = true
	}

	var rest []string
	for _, name := range names {
		if _, done := match.ByTFName[name]; done {
			continue
		}
		full := normalize(strings.TrimPrefix(name, "openstack_"))
		if token, ok := byKey[full]; ok && !claimed[token] {
			match.ByTFName[name] = token
			claimed[token] = true
			continue
		}
		rest = append(rest, name)
	}

	claimants := map[string][]string{}
	for _, name := range rest {
		bare := normalize(tfVersionSuffix.ReplaceAllString(strings.TrimPrefix(name, "openstack_"), ""))
		if token, ok := byKey[bare]; ok && !claimed[token] {
			claimants[token] = append(claimants[token], name)
		} else {
			match.UnmappedTF = append(match.UnmappedTF, name)
		}
	}
	for token, who := range claimants {
		if len(who) > 1 {
			return match, fmt.Errorf("Terraform names %v all match SDK token %q: pin one", who, token)
		}
		match.ByTFName[who[0]] = token
		claimed[token] = true
	}

	for _, token := range sdkTokens {
		if !claimed[token] {
			match.UnusedTokens = append(match.UnusedTokens, token)
		}
	}
	sort.Strings(match.UnmappedTF)
	sort.Strings(match.UnusedTokens)
	return match, nil
}
