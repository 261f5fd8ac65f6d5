package remote

import (
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// freezingProxy forwards TCP to target until freeze is called; then it keeps the connections
// open but passes nothing, as a link that drops every packet does.
type freezingProxy struct {
	addr   string
	mu     sync.Mutex
	frozen bool
}

func newFreezingProxy(t *testing.T, target string) *freezingProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	p := &freezingProxy{addr: ln.Addr().String()}
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				_ = in.Close()
				continue
			}
			go p.pipe(in, out)
			go p.pipe(out, in)
		}
	}()
	return p
}

func (p *freezingProxy) freeze() {
	p.mu.Lock()
	p.frozen = true
	p.mu.Unlock()
}

func (p *freezingProxy) pipe(from, to net.Conn) {
	buf := make([]byte, 32*1024)
	for {
		n, err := from.Read(buf)
		p.mu.Lock()
		frozen := p.frozen
		p.mu.Unlock()
		if frozen {
			_, _ = io.Copy(io.Discard, from) // swallow everything from now on
			return
		}
		if n > 0 {
			if _, werr := to.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func TestSessionOnADeadLinkFailsAfterUnansweredKeepalives(t *testing.T) {
	interval, misses := keepAliveInterval, keepAliveMisses
	keepAliveInterval, keepAliveMisses = 100*time.Millisecond, 3
	defer func() { keepAliveInterval, keepAliveMisses = interval, misses }()

	srv := newTestServer(t, serverAuth{password: "pw"})
	proxy := newFreezingProxy(t, srv.addr)
	conn := connectionTo(t, proxy.addr)
	conn.Password = ptr("pw")
	time.AfterFunc(500*time.Millisecond, proxy.freeze)

	start := time.Now()
	_, err := runRemote(context.Background(), "create", "sleep 30", CommandInputs{Connection: conn}, RunResults{}, func(string) {})
	elapsed := time.Since(start)
	if err == nil || !strings.Contains(err.Error(), "stopped answering") {
		t.Fatalf("err = %v", err)
	}
	if elapsed > 5*time.Second {
		t.Fatalf("took %v to notice a dead link", elapsed)
	}
}

func TestKeepalivesDoNotDisturbALongCommand(t *testing.T) {
	interval := keepAliveInterval
	keepAliveInterval = 50 * time.Millisecond
	defer func() { keepAliveInterval = interval }()
	srv := newTestServer(t, serverAuth{password: "pw"})
	conn := connectionTo(t, srv.addr)
	conn.Password = ptr("pw")
	out, err := runRemote(context.Background(), "create", "sleep 1; echo done", CommandInputs{Connection: conn}, RunResults{}, func(string) {})
	if err != nil || out.Stdout != "done" {
		t.Fatalf("out = %+v, err = %v", out, err)
	}
}
