package remote

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi-go-provider/infer"
	"golang.org/x/crypto/ssh"
)

func ptr[T any](v T) *T { return &v }

// clientKey returns a fresh key pair: the OpenSSH PEM text and the public key.
func clientKey(t *testing.T) (string, ssh.PublicKey) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(block)), sshPub
}

func connectionTo(t *testing.T, addr string) *Connection {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := strconv.Atoi(port)
	return &Connection{Endpoint: Endpoint{
		Host: ptr(host), Port: ptr(float64(p)), User: ptr("tester"),
		DialErrorLimit: ptr(1), PerDialTimeout: ptr(5), AgentSocketPath: ptr(""),
	}}
}

func TestRemoteCommandWithPrivateKeyRunsAndCapturesOutput(t *testing.T) {
	keyPEM, pub := clientKey(t)
	srv := newTestServer(t, serverAuth{authorizedKey: pub})
	conn := connectionTo(t, srv.addr)
	conn.PrivateKey = ptr(keyPEM)

	var logged []string
	out, err := runRemote(context.Background(), "create", "echo out; echo err >&2; cat", CommandInputs{
		Connection: conn, Stdin: ptr("from-stdin"),
	}, RunResults{}, func(l string) { logged = append(logged, l) })
	if err != nil {
		t.Fatal(err)
	}
	if out.Stdout != "out\nfrom-stdin" || out.Stderr != "err" {
		t.Fatalf("outputs = %q / %q", out.Stdout, out.Stderr)
	}
	if strings.Join(logged, "|") == "" {
		t.Fatal("nothing was logged with the default logging")
	}
}

func TestRemoteCommandWithPasswordAndWrongPassword(t *testing.T) {
	srv := newTestServer(t, serverAuth{password: "s3cret-pw"})
	conn := connectionTo(t, srv.addr)
	conn.Password = ptr("s3cret-pw")
	if _, err := runRemote(context.Background(), "create", "true", CommandInputs{Connection: conn}, RunResults{}, nil); err != nil {
		t.Fatalf("right password: %v", err)
	}
	conn.Password = ptr("wrong-pw-value")
	_, err := runRemote(context.Background(), "create", "true", CommandInputs{Connection: conn}, RunResults{}, nil)
	if err == nil {
		t.Fatal("wrong password was accepted")
	}
	if strings.Contains(err.Error(), "wrong-pw-value") {
		t.Fatalf("error leaks the password: %v", err)
	}
}

func TestHostKeyIsChecked(t *testing.T) {
	srv := newTestServer(t, serverAuth{password: "pw"})
	conn := connectionTo(t, srv.addr)
	conn.Password = ptr("pw")

	conn.HostKey = ptr(string(ssh.MarshalAuthorizedKey(srv.hostKey)))
	if _, err := runRemote(context.Background(), "create", "true", CommandInputs{Connection: conn}, RunResults{}, nil); err != nil {
		t.Fatalf("matching host key refused: %v", err)
	}
	_, otherKey := clientKey(t)
	conn.HostKey = ptr(string(ssh.MarshalAuthorizedKey(otherKey)))
	_, err := runRemote(context.Background(), "create", "true", CommandInputs{Connection: conn}, RunResults{}, nil)
	if err == nil || !strings.Contains(err.Error(), "host key mismatch") {
		t.Fatalf("a different host key must be refused, got %v", err)
	}
	if len(srv.executed()) != 1 {
		t.Fatalf("the command ran on a host with the wrong key: %v", srv.executed())
	}
}

func TestEnvironmentAndPreviousOutput(t *testing.T) {
	srv := newTestServer(t, serverAuth{password: "pw"}, "GREETING", "PULUMI_COMMAND_STDOUT")
	conn := connectionTo(t, srv.addr)
	conn.Password = ptr("pw")
	in := CommandInputs{Connection: conn, Environment: map[string]string{"GREETING": "hello"}}

	out, err := runRemote(context.Background(), "delete", `echo "$GREETING/$PULUMI_COMMAND_STDOUT/${PULUMI_COMMAND_STDERR:-unset}"`,
		in, RunResults{Stdout: "old-out", Stderr: "old-err"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// PULUMI_COMMAND_STDERR is refused by this server: a warning, not a failure.
	if out.Stdout != "hello/old-out/unset" {
		t.Fatalf("stdout = %q", out.Stdout)
	}

	in.Environment = map[string]string{"NOT_ACCEPTED": "x"}
	_, err = runRemote(context.Background(), "create", "true", in, RunResults{}, nil)
	if err == nil || !strings.Contains(err.Error(), "AcceptEnv") {
		t.Fatalf("a refused environment variable must fail the command, got %v", err)
	}
}

func TestFailedRemoteCommandReportsExitWithoutCommandText(t *testing.T) {
	srv := newTestServer(t, serverAuth{password: "pw"})
	conn := connectionTo(t, srv.addr)
	conn.Password = ptr("pw")
	_, err := runRemote(context.Background(), "create", "echo visible; exit 3 # token-in-command",
		CommandInputs{Connection: conn}, RunResults{}, nil)
	if err == nil || !strings.Contains(err.Error(), "exited with status 3") || !strings.Contains(err.Error(), "visible") {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "token-in-command") {
		t.Fatalf("error repeats the command text: %v", err)
	}
	_, err = runRemote(context.Background(), "create", "echo hidden-output; exit 3",
		CommandInputs{Connection: conn, Logging: ptr(LogNone)}, RunResults{}, nil)
	if err == nil || strings.Contains(err.Error(), "hidden-output") {
		t.Fatalf("logging none must keep output out of the error, got %v", err)
	}
}

// A delete against a host that is gone fails after dialErrorLimit+1 attempts; the
// resource then stays in state. DESIGN.md relies on this.
func TestDeleteAgainstUnreachableHostFailsAfterRetries(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close() // nothing listens there any more: connection refused

	conn := connectionTo(t, addr)
	conn.Password = ptr("pw")
	conn.DialErrorLimit = ptr(3)
	start := time.Now()
	_, err = (&Command{}).Delete(context.Background(), deleteRequest(conn, "echo never"))
	elapsed := time.Since(start)
	if err == nil || !strings.Contains(err.Error(), "giving up after 4 failed attempts") {
		t.Fatalf("err = %v", err)
	}
	// Three pauses of the schedule: 100 + 150 + 225 ms.
	if elapsed < 450*time.Millisecond || elapsed > 5*time.Second {
		t.Fatalf("took %v, want about 0.5 s of backoff", elapsed)
	}
	t.Logf("refused host: failed after %v", elapsed)
}

// A host that accepts TCP but never speaks SSH (a hung VM) costs perDialTimeout per attempt.
func TestPerDialTimeoutBoundsAHungHandshake(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // hold the connection open, silent
		}
	}()
	conn := connectionTo(t, ln.Addr().String())
	conn.Password = ptr("pw")
	conn.DialErrorLimit = ptr(1)
	conn.PerDialTimeout = ptr(1)
	start := time.Now()
	_, err = (&Command{}).Delete(context.Background(), deleteRequest(conn, "echo never"))
	elapsed := time.Since(start)
	if err == nil || !strings.Contains(err.Error(), "giving up after 2 failed attempts") {
		t.Fatalf("err = %v", err)
	}
	if elapsed < 2*time.Second || elapsed > 4*time.Second {
		t.Fatalf("took %v, want 2 x 1 s per-dial timeout plus 0.1 s", elapsed)
	}
}

func TestDialThroughProxy(t *testing.T) {
	target := newTestServer(t, serverAuth{password: "target-pw"})
	bastion := newTestServer(t, serverAuth{password: "bastion-pw"})

	conn := connectionTo(t, target.addr)
	conn.Password = ptr("target-pw")
	proxy := connectionTo(t, bastion.addr)
	proxy.Password = ptr("bastion-pw")
	conn.Proxy = &ProxyConnection{Endpoint: proxy.Endpoint}

	out, err := runRemote(context.Background(), "create", "echo via-proxy", CommandInputs{Connection: conn}, RunResults{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if out.Stdout != "via-proxy" || len(target.executed()) != 1 {
		t.Fatalf("stdout %q, target ran %v", out.Stdout, target.executed())
	}
}

func deleteRequest(conn *Connection, command string) infer.DeleteRequest[CommandOutputs] {
	return infer.DeleteRequest[CommandOutputs]{ID: "x", State: CommandOutputs{
		CommandInputs: CommandInputs{Connection: conn, Delete: ptr(command)},
	}}
}
