// Package local implements command:local:Command and the command:local:run function.
// The package name is the schema module: types here get tokens command:local:*.
package local

import (
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi-go-provider/infer/types"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Command runs commands on the machine that runs Pulumi, at create, update and delete.
type Command struct{}

// Annotate documents the resource in the schema.
func (c *Command) Annotate(a infer.Annotator) {
	a.Describe(&c, "A command run on the local machine when the resource is created, updated or deleted.")
}

// CommandInputs are the inputs of command:local:Command.
type CommandInputs struct {
	// Triggers are replace-on-change: a new value replaces the resource (delete, then create).
	Triggers *[]any  `pulumi:"triggers,optional" provider:"replaceOnChanges"`
	Create   *string `pulumi:"create,optional"`
	Update   *string `pulumi:"update,optional"`
	Delete   *string `pulumi:"delete,optional"`
	ProcessOptions
}

// ProcessOptions are the inputs that shape the process, shared with the run function.
type ProcessOptions struct {
	Stdin                  *string            `pulumi:"stdin,optional"`
	Logging                *Logging           `pulumi:"logging,optional"`
	Interpreter            *[]string          `pulumi:"interpreter,optional"`
	Dir                    *string            `pulumi:"dir,optional"`
	Environment            *map[string]string `pulumi:"environment,optional"`
	AssetPaths             *[]string          `pulumi:"assetPaths,optional"`
	ArchivePaths           *[]string          `pulumi:"archivePaths,optional"`
	AddPreviousOutputInEnv *bool              `pulumi:"addPreviousOutputInEnv,optional"`
}

// CommandOutputs is the state: every input plus what the last run produced.
type CommandOutputs struct {
	CommandInputs
	RunResults
}

// RunResults are the outputs of one run.
type RunResults struct {
	Stdout  string                            `pulumi:"stdout"`
	Stderr  string                            `pulumi:"stderr"`
	Assets  *map[string]*types.AssetOrArchive `pulumi:"assets,optional"`
	Archive *resource.Archive                 `pulumi:"archive,optional"`
}

// Annotate documents the inputs.
func (c *CommandInputs) Annotate(a infer.Annotator) {
	a.Describe(&c.Triggers, "Values of any type; when any of them changes, the resource is replaced "+
		"(the old one's `delete` runs, then `create`).")
	a.Describe(&c.Create, "Command run when the resource is created, and on update when `update` is unset.")
	a.Describe(&c.Update, "Command run when inputs other than `triggers` change. Unset: `create` runs instead.")
	a.Describe(&c.Delete, "Command run when the resource is deleted, from the stored state. "+
		"PULUMI_COMMAND_STDOUT and PULUMI_COMMAND_STDERR hold the last create/update output.")
}

// Annotate documents the process options.
func (o *ProcessOptions) Annotate(a infer.Annotator) {
	a.Describe(&o.Stdin, "Text written to the command's standard input.")
	a.Describe(&o.Logging, "Which output streams are written to the Pulumi log (default: both). "+
		"Outputs are captured either way.")
	a.Describe(&o.Interpreter, "Program and arguments that run the command; default `[\"/bin/sh\", \"-c\"]`.")
	a.Describe(&o.Dir, "Working directory of the command (must exist); default: the provider's directory.")
	a.Describe(&o.Environment, "Extra environment variables for the command's process.")
	a.Describe(&o.AssetPaths, "Globs of files, relative to `dir`, returned as `assets` after the command.")
	a.Describe(&o.ArchivePaths, "Globs of files, relative to `dir`, returned together as `archive` after the command.")
	a.Describe(&o.AddPreviousOutputInEnv, "Whether the previous stdout and stderr are passed as "+
		"PULUMI_COMMAND_STDOUT and PULUMI_COMMAND_STDERR. Default: true.")
}

// Annotate documents the run outputs.
func (r *RunResults) Annotate(a infer.Annotator) {
	a.Describe(&r.Stdout, "Standard output of the last run, without its final newline.")
	a.Describe(&r.Stderr, "Standard error of the last run, without its final newline.")
	a.Describe(&r.Assets, "Files matched by `assetPaths`, keyed by path relative to `dir`.")
	a.Describe(&r.Archive, "One archive of the files matched by `archivePaths`.")
}
