package remote

import (
	"context"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

// With the schema defaults (dialErrorLimit 10), a delete against a host whose sshd is gone
// (connection refused, as a stopped lab node on loopback) fails after 11 attempts and about
// 11.3 s of backoff. Slow, so opt-in: COMMAND_PROVIDER_SLOW_TESTS=1.
func TestDefaultRetryBudgetAgainstRefusedHost(t *testing.T) {
	if os.Getenv("COMMAND_PROVIDER_SLOW_TESTS") == "" {
		t.Skip("set COMMAND_PROVIDER_SLOW_TESTS=1 to run")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	conn := connectionTo(t, addr)
	conn.Password = ptr("pw")
	conn.DialErrorLimit = ptr(defaultDialErrorLimit)
	conn.PerDialTimeout = ptr(defaultPerDialTimeout)

	start := time.Now()
	_, err = (&Command{}).Delete(context.Background(), deleteRequest(conn, "echo never"))
	elapsed := time.Since(start)
	if err == nil || !strings.Contains(err.Error(), "giving up after 11 failed attempts") {
		t.Fatalf("err = %v", err)
	}
	if elapsed < 11*time.Second || elapsed > 14*time.Second {
		t.Fatalf("took %v, want about 11.3 s", elapsed)
	}
	t.Logf("default budget against a refused port: %v", elapsed)
}
