package cmdio

import "fmt"

// maxOutputInError bounds how much command output an error message repeats.
const maxOutputInError = 8 << 10

// CommandFailed builds the error for a failed create/update/delete command.
//
// Unlike the upstream provider, the command text is not quoted: it may be built from
// secrets. Only output from streams that the logging option allows is repeated, so
// `logging: "none"` keeps the output out of the error (and the engine's log) as well.
func CommandFailed(phase string, err error, c *Capture) error {
	out := c.LoggableOutput()
	if len(out) > maxOutputInError {
		out = "...(truncated)...\n" + out[len(out)-maxOutputInError:]
	}
	if out == "" {
		return fmt.Errorf("%s command failed: %w", phase, err)
	}
	return fmt.Errorf("%s command failed: %w; output:\n%s", phase, err, out)
}
