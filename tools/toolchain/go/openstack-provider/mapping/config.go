package mapping

import "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"

// configEnvDefaults lists the provider config keys (Terraform names) that fall back to an
// environment variable, as in @pulumi/openstack@3.15.2's config/vars.js and provider.js.
// Everything else in the config (auth_url, user_name, password, tenant_name, cacert_file, ...)
// comes straight from the Terraform provider schema, which already reads the usual OS_* variables.
var configEnvDefaults = map[string]string{
	"allow_reauth":  "OS_ALLOW_REAUTH",
	"cloud":         "OS_CLOUD",
	"delayed_auth":  "OS_DELAYED_AUTH",
	"endpoint_type": "OS_ENDPOINT_TYPE",
	"insecure":      "OS_INSECURE",
	"region":        "OS_REGION_NAME",
	"swauth":        "OS_SWAUTH",
	"use_octavia":   "OS_USE_OCTAVIA",
}

func providerConfig() map[string]*tfbridge.SchemaInfo {
	config := make(map[string]*tfbridge.SchemaInfo, len(configEnvDefaults))
	for key, envVar := range configEnvDefaults {
		config[key] = &tfbridge.SchemaInfo{Default: &tfbridge.DefaultInfo{EnvVars: []string{envVar}}}
	}
	return config
}
