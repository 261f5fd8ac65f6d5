package remote

import (
	"fmt"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/ssh"
)

// A session on a dead link (a host that hangs, a network that drops packets silently) would
// block the update forever: TCP alone may never notice. Like OpenSSH's ServerAliveInterval,
// the client asks the server for a reply every keepAliveInterval and gives up after
// keepAliveMisses unanswered requests in a row.
var (
	keepAliveInterval = 15 * time.Second
	keepAliveMisses   = 4
)

// keepAlive watches the client until stop is closed; when the server stops answering it
// closes the client (the running session then fails) and reports why through lost.
func keepAlive(client *ssh.Client, stop <-chan struct{}) (lost func() error) {
	var reason atomic.Value
	go func() {
		missed := 0
		ticker := time.NewTicker(keepAliveInterval)
		defer ticker.Stop()
		for {
			select {
			case <-stop:
				return
			case <-ticker.C:
			}
			answered := make(chan struct{})
			go func() {
				// Any reply (even "not supported") proves the server reads the connection.
				_, _, _ = client.SendRequest("keepalive@openssh.com", true, nil)
				close(answered)
			}()
			select {
			case <-stop:
				return
			case <-answered:
				missed = 0
			case <-time.After(keepAliveInterval):
				missed++
				if missed >= keepAliveMisses {
					reason.Store(fmt.Errorf("the SSH connection stopped answering for %v (%d keepalives unanswered): "+
						"dead link or hung host", time.Duration(missed)*keepAliveInterval, missed))
					_ = client.Close()
					return
				}
			}
		}
	}()
	return func() error {
		if err, ok := reason.Load().(error); ok {
			return err
		}
		return nil
	}
}
