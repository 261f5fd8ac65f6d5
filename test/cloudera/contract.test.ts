import * as assert from "assert";
import { contract } from "./sim-fixture";

/** The contract checker itself: it must reject what the description does not allow. */
describe("CM API contract checker (official v45 description + ajv)", () => {
  const ok = { method: "GET", path: "/api/v45/hosts/abc", query: {}, status: 200 };

  it("accepts a host that uses only declared fields and enum values", () => {
    const host = {
      hostId: "abc",
      hostname: "ds01",
      healthSummary: "GOOD",
      roleRefs: [{ roleName: "r", roleStatus: "STARTED" }],
    };
    assert.deepStrictEqual(contract().check({ ...ok, responseBody: host }), []);
  });

  it("rejects an undeclared field, a wrong type and an unknown enum value", () => {
    const violations = contract().check({
      ...ok,
      responseBody: { hostID: "abc", numCores: "8", healthSummary: "FINE" },
    });
    assert.ok(
      violations.some((v) => v.includes("additionalProperty") && v.includes("hostID")),
      violations.join("\n"),
    );
    assert.ok(
      violations.some((v) => v.includes("/numCores")),
      violations.join("\n"),
    );
    assert.ok(
      violations.some((v) => v.includes("/healthSummary")),
      violations.join("\n"),
    );
  });

  it("flattens allOf lists: ApiBulkCommandList accepts items and errors, rejects others", () => {
    const path = "/api/v45/clusters/c/services/s/roleCommands/start";
    const base = { method: "POST", path, query: {}, requestBody: { items: ["r1"] }, status: 200 };
    assert.deepStrictEqual(
      contract().check({ ...base, responseBody: { items: [{ id: 1, active: true }], errors: [] } }),
      [],
    );
    assert.notDeepStrictEqual(contract().check({ ...base, responseBody: { items: [], failures: [] } }), []);
  });

  it("checks requests: body schema, query enums, undeclared parameters, unknown operations", () => {
    const c = contract();
    const post = {
      method: "POST",
      path: "/api/v45/clusters/c/services/s/roles",
      query: {},
      status: 200,
      responseBody: { items: [] },
    };
    assert.notDeepStrictEqual(
      c.check({ ...post, requestBody: { items: [{ type: "ECS_SERVER", hostRef: { id: "x" } }] } }),
      [],
    );
    assert.notDeepStrictEqual(
      c.check({ ...ok, query: { view: "full" }, responseBody: {} }),
      [],
      "lowercase view is not in the enum",
    );
    assert.notDeepStrictEqual(c.check({ ...ok, query: { verbose: "1" }, responseBody: {} }), []);
    assert.notDeepStrictEqual(c.check({ ...ok, method: "PATCH", responseBody: {} }), []);
    assert.notDeepStrictEqual(
      c.check({ ...ok, path: "/api/v45/commands/abc", responseBody: {} }),
      [],
      "commandId is an integer",
    );
  });

  it("requires CM's error shape on failures", () => {
    assert.deepStrictEqual(
      contract().check({ ...ok, status: 404, responseBody: { message: "Host 'abc' not found." } }),
      [],
    );
    assert.notDeepStrictEqual(contract().check({ ...ok, status: 404, responseBody: { error: "nope" } }), []);
  });

  it("literal path segments win over parameters", () => {
    assert.strictEqual(
      contract().match("POST", "/hosts/removeHostsFromCluster")?.template,
      "/hosts/removeHostsFromCluster",
    );
  });
});
