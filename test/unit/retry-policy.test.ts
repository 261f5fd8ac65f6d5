import * as assert from "assert";
import { backoffDelayMs, DEFAULT_RETRY, MAX_RETRY_AFTER_MS } from "../../components/cloudera/retry-policy";

describe("CM retry schedule", () => {
  const options = { ...DEFAULT_RETRY, random: () => 0 };
  it("honours a server's Retry-After as a floor", () => {
    assert.strictEqual(backoffDelayMs(1, options, 7), 7000);
  });
  it("caps a Retry-After that would stall the update (one day asked)", () => {
    assert.strictEqual(backoffDelayMs(1, options, 86_400), MAX_RETRY_AFTER_MS);
    assert.strictEqual(backoffDelayMs(1, options, -5), 0);
  });
});
