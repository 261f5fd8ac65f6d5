package cmdio

import (
	"errors"
	"strings"
	"testing"
)

func TestCaptureLogsWholeLinesAcrossWrites(t *testing.T) {
	var lines []string
	c := NewCapture(func(l string) { lines = append(lines, l) }, true, false)
	_, _ = c.Stdout().Write([]byte("ab"))
	_, _ = c.Stdout().Write([]byte("c\r\nd"))
	_, _ = c.Stderr().Write([]byte("not logged\n"))
	if strings.Join(lines, "|") != "abc" {
		t.Fatalf("before close: %q", lines)
	}
	c.Close()
	if strings.Join(lines, "|") != "abc|d" {
		t.Fatalf("after close: %q", lines)
	}
	out, errOut := c.Results()
	if out != "abc\r\nd" || errOut != "not logged" {
		t.Fatalf("results %q / %q", out, errOut)
	}
	if c.LoggableOutput() != "abc\r\nd" {
		t.Fatalf("loggable output %q", c.LoggableOutput())
	}
}

func TestCommandFailedTruncatesLongOutput(t *testing.T) {
	c := NewCapture(nil, true, true)
	_, _ = c.Stdout().Write([]byte(strings.Repeat("x", 3*maxOutputInError) + "END"))
	err := CommandFailed("create", errors.New("exit status 1"), c)
	if len(err.Error()) > maxOutputInError+200 || !strings.HasSuffix(err.Error(), "END") {
		t.Fatalf("error not truncated to the tail: %d bytes", len(err.Error()))
	}
}

func TestPreviousOutputEnv(t *testing.T) {
	off := false
	if len(PreviousOutputEnv(&off, "a", "b")) != 0 {
		t.Fatal("disabled must set nothing")
	}
	env := PreviousOutputEnv(nil, "a", "")
	if env[PreviousStdoutVar] != "a" || len(env) != 1 {
		t.Fatalf("env = %v", env)
	}
}
