// Package cmdio holds what local and remote commands share: capturing their output,
// streaming it to the Pulumi log, the PULUMI_COMMAND_* environment, and failure errors
// that never repeat the command text (it may carry secrets).
package cmdio

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"

	p "github.com/pulumi/pulumi-go-provider"
)

// LineSink receives one line of command output (without its newline) for the log.
type LineSink func(line string)

// Capture records a command's stdout and stderr and forwards complete lines of the
// streams that logging allows to a sink. It is safe for concurrent writes from both streams.
type Capture struct {
	mu       sync.Mutex
	sink     LineSink
	stdout   stream
	stderr   stream
	combined bytes.Buffer // what the streams allowed to log wrote, in order; used in errors
}

type stream struct {
	buf     bytes.Buffer
	pending []byte // the current, not yet finished, line
	logged  bool
}

// NewCapture returns a Capture that logs stdout and/or stderr lines to sink.
// A nil sink logs nothing.
func NewCapture(sink LineSink, logStdout, logStderr bool) *Capture {
	c := &Capture{sink: sink}
	c.stdout.logged = logStdout
	c.stderr.logged = logStderr
	return c
}

// Stdout is the writer to connect to the command's standard output.
func (c *Capture) Stdout() io.Writer { return writerFunc(func(b []byte) { c.write(&c.stdout, b) }) }

// Stderr is the writer to connect to the command's standard error.
func (c *Capture) Stderr() io.Writer { return writerFunc(func(b []byte) { c.write(&c.stderr, b) }) }

func (c *Capture) write(s *stream, b []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s.buf.Write(b)
	if !s.logged {
		return
	}
	c.combined.Write(b)
	s.pending = append(s.pending, b...)
	for {
		i := bytes.IndexByte(s.pending, '\n')
		if i < 0 {
			break
		}
		c.emit(string(s.pending[:i]))
		s.pending = s.pending[i+1:]
	}
}

func (c *Capture) emit(line string) {
	if c.sink != nil {
		c.sink(strings.TrimSuffix(line, "\r"))
	}
}

// Close logs any unfinished last line. Call it once the command has exited.
func (c *Capture) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range []*stream{&c.stdout, &c.stderr} {
		if len(s.pending) > 0 {
			c.emit(string(s.pending))
			s.pending = nil
		}
	}
}

// Results returns stdout and stderr with one trailing newline removed, as the outputs
// of the Command resources expect.
func (c *Capture) Results() (stdout, stderr string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.TrimSuffix(c.stdout.buf.String(), "\n"), strings.TrimSuffix(c.stderr.buf.String(), "\n")
}

// LoggableOutput is the interleaved output of the streams that logging allows.
func (c *Capture) LoggableOutput() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.combined.String()
}

type writerFunc func([]byte)

func (f writerFunc) Write(b []byte) (int, error) {
	f(b)
	return len(b), nil
}

// EngineLog sends lines to the Pulumi engine as status messages of the current resource,
// as the upstream provider does.
func EngineLog(ctx context.Context) LineSink {
	logger := p.GetLogger(ctx)
	return func(line string) { logger.InfoStatus(line) }
}
