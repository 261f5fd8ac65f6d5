package remote

import "github.com/pulumi/pulumi-go-provider/infer"

// Schema defaults, identical to the SDK's connectionArgsProvideDefaults.
const (
	defaultUser           = "root"
	defaultPort           = 22
	defaultDialErrorLimit = 10 // failed dials allowed before giving up; -1: unlimited
	defaultPerDialTimeout = 15 // seconds; 0: no limit
)

// Connection says how to reach a host over SSH (command:remote:Connection).
type Connection struct {
	Endpoint
	Proxy *ProxyConnection `pulumi:"proxy,optional"`
}

// ProxyConnection is a bastion host the connection goes through (command:remote:ProxyConnection).
type ProxyConnection struct {
	Endpoint
}

// Endpoint holds the fields both connection types share.
type Endpoint struct {
	User               *string  `pulumi:"user,optional"`
	Password           *string  `pulumi:"password,optional"           provider:"secret"`
	Host               *string  `pulumi:"host"`
	Port               *float64 `pulumi:"port,optional"`
	PrivateKey         *string  `pulumi:"privateKey,optional"         provider:"secret"`
	PrivateKeyPassword *string  `pulumi:"privateKeyPassword,optional" provider:"secret"`
	AgentSocketPath    *string  `pulumi:"agentSocketPath,optional"`
	DialErrorLimit     *int     `pulumi:"dialErrorLimit,optional"`
	PerDialTimeout     *int     `pulumi:"perDialTimeout,optional"`
	HostKey            *string  `pulumi:"hostKey,optional"`
}

// Annotate documents the connection and sets its defaults.
func (c *Connection) Annotate(a infer.Annotator) {
	a.Describe(&c, "How to connect to a remote host over SSH.")
	a.Describe(&c.Proxy, "A bastion host to connect through.")
	annotateEndpoint(a, &c.Endpoint)
}

// Annotate documents the proxy connection and sets its defaults.
func (c *ProxyConnection) Annotate(a infer.Annotator) {
	a.Describe(&c, "How to connect to a bastion host over SSH.")
	annotateEndpoint(a, &c.Endpoint)
}

func annotateEndpoint(a infer.Annotator, e *Endpoint) {
	a.Describe(&e.Host, "Address of the host.")
	a.Describe(&e.Port, "SSH port. Default: 22.")
	a.SetDefault(&e.Port, defaultPort)
	a.Describe(&e.User, "User to log in as. Default: root.")
	a.SetDefault(&e.User, defaultUser)
	a.Describe(&e.Password, "Password (also answers keyboard-interactive prompts).")
	a.Describe(&e.PrivateKey, "Private key in PEM/OpenSSH form; tried before the password.")
	a.Describe(&e.PrivateKeyPassword, "Passphrase of an encrypted private key.")
	a.Describe(&e.AgentSocketPath, "SSH agent socket. Default: $SSH_AUTH_SOCK when set.")
	a.Describe(&e.DialErrorLimit, "Failed dials allowed before giving up; -1 for unlimited. Default: 10.")
	a.SetDefault(&e.DialErrorLimit, defaultDialErrorLimit)
	a.Describe(&e.PerDialTimeout, "Seconds allowed for each dial (TCP and SSH handshake); 0 for no limit. Default: 15.")
	a.SetDefault(&e.PerDialTimeout, defaultPerDialTimeout)
	a.Describe(&e.HostKey, "Expected host public key (authorized_keys form). Unset: the host key is not checked.")
}
