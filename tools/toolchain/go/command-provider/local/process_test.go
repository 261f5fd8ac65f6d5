package local

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

func ptr[T any](v T) *T { return &v }

func TestRunCapturesOutputsAndTrimsOneNewline(t *testing.T) {
	out, err := runProcess(context.Background(), "create", "printf 'a\\nb\\n'; echo err >&2", ProcessOptions{},
		RunResults{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if out.Stdout != "a\nb" || out.Stderr != "err" {
		t.Fatalf("got %q / %q", out.Stdout, out.Stderr)
	}
}

func TestRunPassesStdinDirEnvironmentAndInterpreter(t *testing.T) {
	dir := t.TempDir()
	out, err := runProcess(context.Background(), "create", `read line; echo "$line|$(pwd)|$GREETING"`, ProcessOptions{
		Stdin:       ptr("from-stdin\n"),
		Dir:         ptr(dir),
		Environment: &map[string]string{"GREETING": "hi"},
		Interpreter: &[]string{"/bin/bash", "-c"},
	}, RunResults{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	real, _ := filepath.EvalSymlinks(dir)
	if out.Stdout != "from-stdin|"+real+"|hi" && out.Stdout != "from-stdin|"+dir+"|hi" {
		t.Fatalf("stdout = %q", out.Stdout)
	}
}

func TestPreviousOutputIsInEnvironmentUnlessDisabled(t *testing.T) {
	script := `echo "${PULUMI_COMMAND_STDOUT:-none}/${PULUMI_COMMAND_STDERR:-none}"`
	prev := RunResults{Stdout: "old-out", Stderr: "old-err"}
	out, err := runProcess(context.Background(), "delete", script, ProcessOptions{}, prev, nil)
	if err != nil || out.Stdout != "old-out/old-err" {
		t.Fatalf("default: %q, %v", out.Stdout, err)
	}
	out, err = runProcess(context.Background(), "delete", script, ProcessOptions{AddPreviousOutputInEnv: ptr(false)}, prev, nil)
	if err != nil || out.Stdout != "none/none" {
		t.Fatalf("disabled: %q, %v", out.Stdout, err)
	}
}

func TestLoggingSelectsStreams(t *testing.T) {
	cases := map[string]struct {
		logging *Logging
		want    string
	}{
		"default": {nil, "e|o"},
		"stdout":  {ptr(LogStdout), "o"},
		"stderr":  {ptr(LogStderr), "e"},
		"both":    {ptr(LogStdoutAndStderr), "e|o"},
		"none":    {ptr(LogNone), ""},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			var lines []string
			out, err := runProcess(context.Background(), "create", "echo o; echo e >&2", ProcessOptions{Logging: c.logging},
				RunResults{}, func(l string) { lines = append(lines, l) })
			if err != nil {
				t.Fatal(err)
			}
			sort.Strings(lines)
			if got := strings.Join(lines, "|"); got != c.want {
				t.Fatalf("logged %q, want %q", got, c.want)
			}
			if out.Stdout != "o" || out.Stderr != "e" {
				t.Fatalf("outputs must be captured whatever is logged: %q / %q", out.Stdout, out.Stderr)
			}
		})
	}
}

func TestFailureNamesPhaseAndExitButNotCommandText(t *testing.T) {
	_, err := runProcess(context.Background(), "delete", "echo visible-output; exit 4 # secret-in-command-text",
		ProcessOptions{}, RunResults{}, nil)
	if err == nil {
		t.Fatal("exit 4 must fail")
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "delete command failed: exit status 4") || !strings.Contains(msg, "visible-output") {
		t.Fatalf("err = %q", msg)
	}
	if strings.Contains(msg, "secret-in-command-text") {
		t.Fatalf("error repeats the command text: %q", msg)
	}
}

func TestFailureWithLoggingNoneOmitsOutput(t *testing.T) {
	_, err := runProcess(context.Background(), "create", "echo $TOKEN; exit 1", ProcessOptions{
		Logging: ptr(LogNone), Environment: &map[string]string{"TOKEN": "tok-123"},
	}, RunResults{}, nil)
	if err == nil || strings.Contains(err.Error(), "tok-123") {
		t.Fatalf("err = %v", err)
	}
}

func TestMissingDirFails(t *testing.T) {
	_, err := runProcess(context.Background(), "create", "true", ProcessOptions{Dir: ptr("/nonexistent/dir")},
		RunResults{}, nil)
	if err == nil {
		t.Fatal("a missing dir must fail the command")
	}
}

func TestCanceledContextStopsTheCommand(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := runProcess(ctx, "create", "sleep 30; echo done", ProcessOptions{}, RunResults{}, nil)
	if err == nil {
		t.Fatal("a command past its deadline must fail")
	}
	// The shell's child (sleep) must die too, or waiting for its pipes would take 30 s.
	if elapsed := time.Since(start); elapsed > 3*time.Second {
		t.Fatalf("canceled command took %v to stop", elapsed)
	}
}

func TestAssetAndArchivePathsFollowGlobRules(t *testing.T) {
	dir := t.TempDir()
	script := "mkdir -p assets/logos src && touch assets/logos/logo.svg src/index.js src/secret.js top.txt"
	out, err := runProcess(context.Background(), "create", script, ProcessOptions{
		Dir:          ptr(dir),
		AssetPaths:   &[]string{"assets/**", "src/**.js", "!**secret.*"},
		ArchivePaths: &[]string{"*.txt"},
	}, RunResults{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k, v := range *out.Assets {
		if v.Asset == nil || v.Asset.Path != filepath.Join(dir, k) {
			t.Fatalf("asset %s = %+v", k, v)
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if strings.Join(keys, ",") != "assets/logos/logo.svg,src/index.js" {
		t.Fatalf("assets = %v", keys)
	}
	if out.Archive == nil || len(out.Archive.Assets) != 1 || out.Archive.Assets["top.txt"] == nil {
		t.Fatalf("archive = %+v", out.Archive)
	}
	if _, err := os.Stat(filepath.Join(dir, "top.txt")); err != nil {
		t.Fatal(err)
	}
}

func TestGlobSyntax(t *testing.T) {
	cases := []struct {
		glob, path string
		want       bool
	}{
		{"*.js", "a.js", true},
		{"*.js", "d/a.js", false},
		{"**.js", "d/e/a.js", true},
		{"src/?.go", "src/a.go", true},
		{"src/?.go", "src/ab.go", false},
		{"{a,b}/*.txt", "b/x.txt", true},
		{"{a,b}/*.txt", "c/x.txt", false},
		{"[!x]y", "ay", true},
		{"[!x]y", "xy", false},
		{"a.b", "aXb", false},
	}
	for _, c := range cases {
		re, err := globRegexp(c.glob)
		if err != nil {
			t.Fatal(err)
		}
		if got := re.MatchString(c.path); got != c.want {
			t.Errorf("%s ~ %s = %v, want %v", c.glob, c.path, got, c.want)
		}
	}
}

func TestTimedOutCommandSaysSoAndGetsSIGTERMFirst(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	// The shell cleans up on SIGTERM, as the stages do with their temporary credentials.
	script := "trap 'echo cleaned > " + dir + "/trap; exit 143' TERM; sleep 30 & wait"
	_, err := runProcess(ctx, "create", script, ProcessOptions{}, RunResults{}, func(string) {})
	if err == nil || !strings.Contains(err.Error(), "time limit (customTimeouts) ran out") {
		t.Fatalf("err = %v", err)
	}
	if b, _ := os.ReadFile(dir + "/trap"); strings.TrimSpace(string(b)) != "cleaned" {
		t.Fatalf("the command got no SIGTERM to clean up (trap file: %q)", b)
	}
}
