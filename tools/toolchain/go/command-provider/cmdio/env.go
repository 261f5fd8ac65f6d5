package cmdio

// Names of the variables that carry the previous create/update output into the next run
// (and into the delete command).
const (
	PreviousStdoutVar = "PULUMI_COMMAND_STDOUT"
	PreviousStderrVar = "PULUMI_COMMAND_STDERR"
)

// PreviousOutputEnv returns the PULUMI_COMMAND_* variables to set for a run, given the
// addPreviousOutputInEnv input (nil means the default, true) and the previous outputs.
// Empty outputs are not set, so a first create sees no such variables.
func PreviousOutputEnv(addPreviousOutput *bool, stdout, stderr string) map[string]string {
	env := map[string]string{}
	if addPreviousOutput != nil && !*addPreviousOutput {
		return env
	}
	if stdout != "" {
		env[PreviousStdoutVar] = stdout
	}
	if stderr != "" {
		env[PreviousStderrVar] = stderr
	}
	return env
}
