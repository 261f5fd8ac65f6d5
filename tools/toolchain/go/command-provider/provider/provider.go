// Package provider assembles the command provider from the local and remote packages.
package provider

import (
	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi-go-provider/middleware/schema"

	"ecs-pulumi.local/toolchain/command-provider/local"
	"ecs-pulumi.local/toolchain/command-provider/remote"
)

// Name is the package name: resource tokens are command:<module>:<Type>.
const Name = "command"

// Version is the version this build serves, the one @pulumi/command 1.2.1 asks for.
// build.sh can override it with -ldflags "-X ...provider.Version=...".
var Version = "1.2.1"

// SourceHash identifies the sources a binary was built from; build.sh sets it so that it
// can tell (with `go version -m`) whether an existing binary is current.
var SourceHash = "dev"

// New returns the provider: inferred from the Go types, with a diff fix-up so that a
// change inside a replace-on-change input (e.g. one element of `triggers`) replaces.
func New() p.Provider {
	inferred := infer.Provider(infer.Options{
		Metadata: schema.Metadata{
			DisplayName: "Command",
			Description: "Runs commands locally or over SSH as part of the Pulumi resource lifecycle " +
				"(a from-source build for ecs-pulumi, compatible with @pulumi/command 1.2.1).",
			Keywords:   []string{"pulumi", "command", "category/utility", "kind/native"},
			Homepage:   "https://pulumi.com",
			License:    "Apache-2.0",
			Repository: "https://github.com/pulumi/pulumi-command",
			Publisher:  "ecs-pulumi",
		},
		Resources: []infer.InferredResource{
			infer.Resource(&local.Command{}),
			infer.Resource(&remote.Command{}),
			infer.Resource(&remote.CopyToRemote{}),
		},
		Functions: []infer.InferredFunction{
			infer.Function(&local.Run{}),
		},
	})
	return withNestedReplaces(inferred)
}
