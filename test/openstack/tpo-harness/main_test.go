// Drives the CRUD functions of terraform-provider-openstack v1.54.1 (the code inside the Pulumi
// OpenStack provider 3.15.2) against the simulator: six nodes up, a plan with no changes, one
// instance replaced on the same port and volume, destroy. Run by test/openstack/tpo-provider.test.ts,
// which starts the simulator and passes OS_AUTH_URL / OS_PASSWORD in the environment.
package harness

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-sdk/v2/helper/schema"
	"github.com/hashicorp/terraform-plugin-sdk/v2/terraform"
	"github.com/terraform-provider-openstack/terraform-provider-openstack/openstack"
)

type harness struct {
	t    *testing.T
	p    *schema.Provider
	meta interface{}
}

type res struct {
	kind string
	raw  map[string]interface{}
	d    *schema.ResourceData
}

func newHarness(t *testing.T) *harness {
	p := openstack.Provider()
	cfg := terraform.NewResourceConfigRaw(map[string]interface{}{
		"auth_url":            os.Getenv("OS_AUTH_URL"),
		"user_name":           "ecs-admin",
		"tenant_name":         "ecs",
		"user_domain_name":    "Default",
		"project_domain_name": "Default",
		"region":              "RegionOne",
		"password":            os.Getenv("OS_PASSWORD"),
	})
	if diags := p.Configure(context.Background(), cfg); diags.HasError() {
		t.Fatalf("configure: %v", diags)
	}
	return &harness{t: t, p: p, meta: p.Meta()}
}

func (h *harness) create(kind string, raw map[string]interface{}) *res {
	r := h.p.ResourcesMap[kind]
	d := schema.TestResourceDataRaw(h.t, r.Schema, raw)
	if diags := r.CreateContext(context.Background(), d, h.meta); diags.HasError() {
		h.t.Fatalf("create %s: %v", kind, diags)
	}
	if d.Id() == "" {
		h.t.Fatalf("create %s: no id", kind)
	}
	return &res{kind: kind, raw: raw, d: d}
}

// refreshAndPlan is `pulumi refresh` + `preview --expect-no-changes` for one resource.
func (h *harness) refreshAndPlan(x *res) {
	r := h.p.ResourcesMap[x.kind]
	if diags := r.ReadContext(context.Background(), x.d, h.meta); diags.HasError() {
		h.t.Fatalf("read %s: %v", x.kind, diags)
	}
	if x.d.Id() == "" {
		h.t.Fatalf("read %s: resource vanished", x.kind)
	}
	diff, err := r.Diff(context.Background(), x.d.State(), terraform.NewResourceConfigRaw(x.raw), h.meta)
	if err != nil {
		h.t.Fatalf("diff %s: %v", x.kind, err)
	}
	if diff != nil && !diff.Empty() {
		for k, a := range diff.Attributes {
			if !a.NewComputed {
				h.t.Errorf("drift in %s %s: %s: %q -> %q (requiresNew=%v)", x.kind, x.d.Id(), k, a.Old, a.New, a.RequiresNew)
			}
		}
	}
}

func (h *harness) destroy(x *res) {
	r := h.p.ResourcesMap[x.kind]
	if diags := r.DeleteContext(context.Background(), x.d, h.meta); diags.HasError() {
		h.t.Fatalf("delete %s %s: %v", x.kind, x.d.Id(), diags)
	}
}

func (h *harness) dataSource(kind string, raw map[string]interface{}) *schema.ResourceData {
	r := h.p.DataSourcesMap[kind]
	d := schema.TestResourceDataRaw(h.t, r.Schema, raw)
	if diags := r.ReadContext(context.Background(), d, h.meta); diags.HasError() {
		h.t.Fatalf("data source %s: %v", kind, diags)
	}
	return d
}

type node struct {
	name, ip, role     string
	port, vol, inst, a *res
}

func parallel(nodes []*node, f func(n *node)) {
	var wg sync.WaitGroup
	for _, n := range nodes {
		wg.Add(1)
		go func(n *node) { defer wg.Done(); f(n) }(n)
	}
	wg.Wait()
}

func (h *harness) instance(n *node, group *res) *res {
	flavor := "ecs.server"
	if n.role == "agent" {
		flavor = "ecs.agent"
	}
	return h.create("openstack_compute_instance_v2", map[string]interface{}{
		"name":            n.name,
		"image_name":      "rhel-8.8-ecs",
		"flavor_name":     flavor,
		"key_pair":        "ecs",
		"network":         []interface{}{map[string]interface{}{"port": n.port.d.Id()}},
		"scheduler_hints": []interface{}{map[string]interface{}{"group": group.d.Id()}},
		"metadata":        map[string]interface{}{"ecs-role": n.role},
	})
}

func TestSixNodesReplaceDestroy(t *testing.T) {
	h := newHarness(t)
	net := h.dataSource("openstack_networking_network_v2", map[string]interface{}{"name": "ecs-net"})
	subnet := h.dataSource("openstack_networking_subnet_v2", map[string]interface{}{"name": "ecs-subnet"})
	h.dataSource("openstack_images_image_v2", map[string]interface{}{"name": "rhel-8.8-ecs", "most_recent": true})
	h.dataSource("openstack_compute_flavor_v2", map[string]interface{}{"name": "ecs.agent"})

	kp := h.create("openstack_compute_keypair_v2", map[string]interface{}{
		"name": "ecs", "public_key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDu0lH1rK1pJ4Y1cDqHkQvM5ZsGk8z1iFz7aH8cHc0uX lab@ecs",
	})
	sg := h.create("openstack_networking_secgroup_v2", map[string]interface{}{"name": "ecs-nodes", "description": "ECS nodes"})
	rule := h.create("openstack_networking_secgroup_rule_v2", map[string]interface{}{
		"security_group_id": sg.d.Id(), "direction": "ingress", "ethertype": "IPv4", "protocol": "tcp",
		"port_range_min": 9345, "port_range_max": 9345, "remote_ip_prefix": "127.0.8.0/24",
	})
	groups := map[string]*res{
		"server": h.create("openstack_compute_servergroup_v2", map[string]interface{}{"name": "ecs-servers", "policies": []interface{}{"anti-affinity"}}),
		"agent":  h.create("openstack_compute_servergroup_v2", map[string]interface{}{"name": "ecs-agents", "policies": []interface{}{"anti-affinity"}}),
	}
	var nodes []*node
	for i := 1; i <= 6; i++ {
		role, name := "server", fmt.Sprintf("ecs-server-%d", i)
		if i > 3 {
			role, name = "agent", fmt.Sprintf("ecs-agent-%d", i-3)
		}
		nodes = append(nodes, &node{name: name, role: role, ip: fmt.Sprintf("127.0.8.%d", 140+i)})
	}
	parallel(nodes, func(n *node) {
		n.port = h.create("openstack_networking_port_v2", map[string]interface{}{
			"name": n.name, "network_id": net.Id(), "admin_state_up": true,
			"security_group_ids": []interface{}{sg.d.Id()},
			"fixed_ip":           []interface{}{map[string]interface{}{"subnet_id": subnet.Id(), "ip_address": n.ip}},
		})
		n.vol = h.create("openstack_blockstorage_volume_v3", map[string]interface{}{"name": n.name + "-data", "size": 100})
		n.inst = h.instance(n, groups[n.role])
		n.a = h.create("openstack_compute_volume_attach_v2", map[string]interface{}{"instance_id": n.inst.d.Id(), "volume_id": n.vol.d.Id()})
	})
	for _, n := range nodes {
		if got := n.inst.d.Get("access_ip_v4").(string); got != n.ip {
			t.Errorf("%s access_ip_v4 = %q, want %q", n.name, got, n.ip)
		}
	}
	all := []*res{kp, sg, rule, groups["server"], groups["agent"]}
	for _, n := range nodes {
		all = append(all, n.port, n.vol, n.inst, n.a)
	}
	for _, x := range all {
		h.refreshAndPlan(x)
	}

	// Replace ecs-server-2 the way delete-before-replace orders it: attachment, instance, then create.
	n := nodes[1]
	oldID := n.inst.d.Id()
	h.destroy(n.a)
	h.destroy(n.inst)
	n.inst = h.instance(n, groups[n.role])
	n.a = h.create("openstack_compute_volume_attach_v2", map[string]interface{}{"instance_id": n.inst.d.Id(), "volume_id": n.vol.d.Id()})
	if n.inst.d.Id() == oldID {
		t.Fatalf("instance was not replaced")
	}
	if got := n.inst.d.Get("access_ip_v4").(string); got != n.ip {
		t.Errorf("replacement access_ip_v4 = %q, want %q", got, n.ip)
	}
	h.refreshAndPlan(n.port)
	if got := n.port.d.Get("device_id").(string); got != n.inst.d.Id() {
		t.Errorf("port device_id = %q, want the new instance %q", got, n.inst.d.Id())
	}
	h.refreshAndPlan(n.inst)
	h.refreshAndPlan(n.a)
	h.refreshAndPlan(n.vol)

	// Destroy in reverse dependency order.
	parallel(nodes, func(n *node) {
		h.destroy(n.a)
		h.destroy(n.inst)
		h.destroy(n.vol)
		h.destroy(n.port)
	})
	h.destroy(groups["server"])
	h.destroy(groups["agent"])
	h.destroy(rule)
	h.destroy(sg)
	h.destroy(kp)
}
