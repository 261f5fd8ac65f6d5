package remote

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"time"

	p "github.com/pulumi/pulumi-go-provider"
	"golang.org/x/crypto/ssh"
)

// Retry schedule between failed dials, the same as the upstream provider's
// (pulumi sdk retry defaults): 100 ms, growing 1.5x, at most 5 s.
var (
	retryFirstDelay = 100 * time.Millisecond
	retryMaxDelay   = 5 * time.Second
)

const retryBackoff = 1.5

// dialer opens a TCP connection to an address (directly, or through a proxy client).
type dialer func(ctx context.Context, addr string) (net.Conn, error)

func directDial(ctx context.Context, addr string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, "tcp", addr)
}

// Dial connects to the host, through the proxy when one is set, retrying each hop as
// its dialErrorLimit allows. The caller closes the client.
func (c *Connection) Dial(ctx context.Context) (*ssh.Client, error) {
	if c.Proxy == nil {
		return c.Endpoint.dialVia(ctx, "dial", directDial)
	}
	bastion, err := c.Proxy.Endpoint.dialVia(ctx, "dial proxy", directDial)
	if err != nil {
		return nil, fmt.Errorf("proxy: %w", err)
	}
	viaBastion := func(ctx context.Context, addr string) (net.Conn, error) { return dialThrough(ctx, bastion, addr) }
	client, err := c.Endpoint.dialVia(ctx, "dial through proxy", viaBastion)
	if err != nil {
		_ = bastion.Close()
		return nil, fmt.Errorf("through proxy: %w", err)
	}
	// Closing the target client does not close the bastion; tie them together.
	go func() {
		_ = client.Wait()
		_ = bastion.Close()
	}()
	return client, nil
}

// dialThrough opens a forwarded TCP connection from the bastion; the SSH library call has
// no context, so ctx (the per-dial timeout) is enforced around it.
func dialThrough(ctx context.Context, bastion *ssh.Client, addr string) (net.Conn, error) {
	type result struct {
		conn net.Conn
		err  error
	}
	done := make(chan result, 1)
	go func() {
		conn, err := bastion.Dial("tcp", addr)
		done <- result{conn, err}
	}()
	select {
	case r := <-done:
		return r.conn, r.err
	case <-ctx.Done():
		go func() {
			if r := <-done; r.conn != nil {
				_ = r.conn.Close()
			}
		}()
		return nil, ctx.Err()
	}
}

// dialVia makes SSH connection attempts (TCP connect plus handshake, each bounded by
// perDialTimeout) until one succeeds, dialErrorLimit failures are exceeded, or ctx ends.
func (e *Endpoint) dialVia(ctx context.Context, what string, dial dialer) (*ssh.Client, error) {
	config, cleanup, err := e.clientConfig()
	if err != nil {
		return nil, err
	}
	defer cleanup()
	addr := net.JoinHostPort(stringOr(e.Host, ""), strconv.Itoa(int(floatOr(e.Port, defaultPort))))
	limit := intOr(e.DialErrorLimit, defaultDialErrorLimit)
	perDial := time.Duration(intOr(e.PerDialTimeout, defaultPerDialTimeout)) * time.Second

	delay := retryFirstDelay
	for failures := 1; ; failures++ {
		client, err := handshake(ctx, addr, config, perDial, dial)
		if err == nil {
			return client, nil
		}
		if limit >= 0 && failures > limit {
			return nil, fmt.Errorf("%s %s: giving up after %d failed attempts: %w", what, addr, failures, err)
		}
		p.GetLogger(ctx).InfoStatusf("%s %s: attempt %d/%s failed (%v); retrying", what, addr, failures,
			limitText(limit), err)
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%s %s: %w after %d failed attempts (last: %v)", what, addr, ctx.Err(), failures, err)
		case <-time.After(delay):
		}
		delay = min(time.Duration(float64(delay)*retryBackoff), retryMaxDelay)
	}
}

// handshake is one attempt: connect, then the SSH handshake, within perDial (0: no limit).
func handshake(
	ctx context.Context, addr string, config *ssh.ClientConfig, perDial time.Duration, dial dialer,
) (*ssh.Client, error) {
	attemptCtx := ctx
	if perDial > 0 {
		var cancel context.CancelFunc
		attemptCtx, cancel = context.WithTimeout(ctx, perDial)
		defer cancel()
	}
	conn, err := dial(attemptCtx, addr)
	if err != nil {
		return nil, err
	}
	// The SSH handshake has no context; a deadline on the connection bounds it.
	if deadline, ok := attemptCtx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	stop := context.AfterFunc(attemptCtx, func() { _ = conn.Close() })
	sshConn, chans, reqs, err := ssh.NewClientConn(conn, addr, config)
	stop()
	if err != nil {
		_ = conn.Close()
		return nil, err
	}
	_ = conn.SetDeadline(time.Time{})
	return ssh.NewClient(sshConn, chans, reqs), nil
}

func limitText(limit int) string {
	if limit < 0 {
		return "unlimited"
	}
	return strconv.Itoa(limit + 1)
}

func intOr(v *int, fallback int) int {
	if v == nil {
		return fallback
	}
	return *v
}

func floatOr(v *float64, fallback float64) float64 {
	if v == nil {
		return fallback
	}
	return *v
}
