// Package remote implements command:remote:Command (and CopyToRemote): commands run over
// SSH. The package name is the schema module: types here get tokens command:remote:*.
package remote

import "github.com/pulumi/pulumi-go-provider/infer"

// Command runs commands on a remote host over SSH at create, update and delete.
type Command struct{}

// Annotate documents the resource in the schema.
func (c *Command) Annotate(a infer.Annotator) {
	a.Describe(&c, "A command run over SSH on a remote host when the resource is created, updated or deleted.")
}

// CommandInputs are the inputs of command:remote:Command.
type CommandInputs struct {
	// Triggers are replace-on-change: a new value replaces the resource (delete, then create).
	Triggers               *[]any            `pulumi:"triggers,optional"               provider:"replaceOnChanges"`
	Create                 *string           `pulumi:"create,optional"`
	Update                 *string           `pulumi:"update,optional"`
	Delete                 *string           `pulumi:"delete,optional"`
	Stdin                  *string           `pulumi:"stdin,optional"`
	Logging                *Logging          `pulumi:"logging,optional"`
	Connection             *Connection       `pulumi:"connection"                      provider:"secret"`
	Environment            map[string]string `pulumi:"environment,optional"`
	AddPreviousOutputInEnv *bool             `pulumi:"addPreviousOutputInEnv,optional"`
}

// CommandOutputs is the state: every input plus the last run's output.
type CommandOutputs struct {
	CommandInputs
	RunResults
}

// RunResults are the outputs of one run.
type RunResults struct {
	Stdout string `pulumi:"stdout"`
	Stderr string `pulumi:"stderr"`
}

// Annotate documents the inputs.
func (c *CommandInputs) Annotate(a infer.Annotator) {
	a.Describe(&c.Triggers, "Values of any type; when any of them changes, the resource is replaced "+
		"(the old one's `delete` runs, then `create`).")
	a.Describe(&c.Create, "Command run when the resource is created, and on update when `update` is unset.")
	a.Describe(&c.Update, "Command run when inputs other than `triggers` change. Unset: `create` runs instead.")
	a.Describe(&c.Delete, "Command run when the resource is deleted, from the stored state. "+
		"PULUMI_COMMAND_STDOUT and PULUMI_COMMAND_STDERR hold the last create/update output.")
	a.Describe(&c.Stdin, "Text written to the command's standard input.")
	a.Describe(&c.Logging, "Which output streams are written to the Pulumi log (default: both). "+
		"Outputs are captured either way.")
	a.Describe(&c.Connection, "How to reach the host. Secret, since it can hold a password or key.")
	a.Describe(&c.Environment, "Environment variables set on the SSH session; the server must accept "+
		"them (sshd AcceptEnv), otherwise the command fails.")
	a.Describe(&c.AddPreviousOutputInEnv, "Whether the previous stdout and stderr are passed as "+
		"PULUMI_COMMAND_STDOUT and PULUMI_COMMAND_STDERR (best effort: skipped with a warning if refused). "+
		"Default: true.")
}

// Annotate documents the outputs.
func (r *RunResults) Annotate(a infer.Annotator) {
	a.Describe(&r.Stdout, "Standard output of the last run, without its final newline.")
	a.Describe(&r.Stderr, "Standard error of the last run, without its final newline.")
}
