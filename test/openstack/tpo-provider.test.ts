// Runs the CRUD code of terraform-provider-openstack v1.54.1 (inside @pulumi/openstack 3.15.2) against
// the simulator through the Go harness in ./tpo-harness. Opt-in (it compiles the provider, ~5 min on
// 2 busy cores, then runs ~2 min of the provider's fixed waits): OPENSTACK_TPO_HARNESS=1.
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { startOpenStackSimulator } from "../../lab/openstack/server";
import { PASSWORD } from "./client";

describe("openstack simulator: terraform-provider-openstack v1.54.1 CRUD (Go harness)", function () {
  this.timeout(30 * 60 * 1000);

  it("six nodes up, no drift on refresh+plan, one instance replaced on its port and volume, destroy", async function () {
    if (process.env.OPENSTACK_TPO_HARNESS !== "1") this.skip();
    const sim = await startOpenStackSimulator({ password: PASSWORD });
    try {
      // Asynchronous on purpose: a synchronous spawn would block the simulator's event loop.
      const code = await new Promise<number | null>((resolve) => {
        const child = spawn("nice", ["-n", "10", "go", "test", "-count=1", "-timeout", "25m", "."], {
          cwd: join(__dirname, "tpo-harness"),
          env: {
            ...process.env,
            GOTOOLCHAIN: "local",
            GOFLAGS: "-mod=mod",
            OS_AUTH_URL: sim.authUrl,
            OS_PASSWORD: PASSWORD,
          },
          stdio: ["ignore", "pipe", "pipe"],
        });
        let out = "";
        const keep = (b: Buffer): void => {
          out += b
            .toString()
            .split("\n")
            .filter((l) => !/\[(DEBUG|TRACE)\]/.test(l))
            .join("\n");
        };
        child.stdout.on("data", keep);
        child.stderr.on("data", keep);
        child.on("close", (c) => {
          if (c !== 0) process.stderr.write(out.slice(-4000));
          resolve(c);
        });
      });
      assert.equal(code, 0, "go test of the provider harness failed (output above)");
      assert.equal(sim.isEmpty(), true, JSON.stringify(sim.summary()));
    } finally {
      await sim.stop();
    }
  });
});
