package remote

import (
	"errors"
	"fmt"
	"net"
	"os"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// clientConfig builds the SSH client configuration: auth methods in the order private
// key, password (and keyboard-interactive), agent; host-key check when hostKey is set.
// Errors never include key or password material.
func (e *Endpoint) clientConfig() (*ssh.ClientConfig, func(), error) {
	config := &ssh.ClientConfig{User: stringOr(e.User, defaultUser)}
	cleanup := func() {}

	if e.HostKey != nil && *e.HostKey != "" {
		want, _, _, _, err := ssh.ParseAuthorizedKey([]byte(*e.HostKey))
		if err != nil {
			return nil, cleanup, fmt.Errorf("hostKey: not a public key in authorized_keys form: %w", err)
		}
		config.HostKeyCallback = ssh.FixedHostKey(want)
		config.HostKeyAlgorithms = hostKeyAlgorithms(want)
	} else {
		//nolint:gosec // the schema documents that an unset hostKey is not checked
		config.HostKeyCallback = ssh.InsecureIgnoreHostKey()
	}

	if e.PrivateKey != nil && *e.PrivateKey != "" {
		signer, err := parsePrivateKey(*e.PrivateKey, e.PrivateKeyPassword)
		if err != nil {
			return nil, cleanup, err
		}
		config.Auth = append(config.Auth, ssh.PublicKeys(signer))
	}
	if e.Password != nil && *e.Password != "" {
		password := *e.Password
		config.Auth = append(config.Auth, ssh.Password(password),
			ssh.KeyboardInteractive(func(_, _ string, questions []string, _ []bool) ([]string, error) {
				answers := make([]string, len(questions))
				for i := range answers {
					answers[i] = password
				}
				return answers, nil
			}))
	}
	if socket := agentSocket(e.AgentSocketPath); socket != "" {
		conn, err := net.Dial("unix", socket)
		if err != nil {
			return nil, cleanup, fmt.Errorf("ssh agent at %s: %w", socket, err)
		}
		cleanup = func() { _ = conn.Close() }
		config.Auth = append(config.Auth, ssh.PublicKeysCallback(agent.NewClient(conn).Signers))
	}
	return config, cleanup, nil
}

func parsePrivateKey(pem string, passphrase *string) (ssh.Signer, error) {
	var signer ssh.Signer
	var err error
	if passphrase != nil && *passphrase != "" {
		signer, err = ssh.ParsePrivateKeyWithPassphrase([]byte(pem), []byte(*passphrase))
	} else {
		signer, err = ssh.ParsePrivateKey([]byte(pem))
	}
	var missing *ssh.PassphraseMissingError
	switch {
	case errors.As(err, &missing):
		return nil, errors.New("privateKey is encrypted and privateKeyPassword is not set")
	case err != nil:
		// The parser's messages describe the format problem, not the key bytes.
		return nil, fmt.Errorf("privateKey: %w", err)
	}
	return signer, nil
}

// hostKeyAlgorithms makes the server present the kind of key we can check. RSA keys
// are offered with the SHA-2 signature algorithms as well.
func hostKeyAlgorithms(key ssh.PublicKey) []string {
	if key.Type() == ssh.KeyAlgoRSA {
		return []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}
	}
	return []string{key.Type()}
}

func agentSocket(configured *string) string {
	if configured != nil {
		return *configured
	}
	return os.Getenv("SSH_AUTH_SOCK")
}

func stringOr(s *string, fallback string) string {
	if s == nil {
		return fallback
	}
	return *s
}
