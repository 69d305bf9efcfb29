import { describe, expect, it } from "vitest";
import { RateLimiter } from "./rate-limit.js";

describe("the rate limiter", () => {
  it("lets a burst through, then one request per refill, per caller", () => {
    let now = 0;
    const limiter = new RateLimiter({ perSecond: 2, burst: 3 }, () => now);
    expect([1, 2, 3].map(() => limiter.take("a"))).toEqual([0, 0, 0]);
    expect(limiter.take("a")).toBe(1);
    expect(limiter.take("b")).toBe(0);
    now = 500;
    expect(limiter.take("a")).toBe(0);
    expect(limiter.take("a")).toBe(1);
    now = 10_000;
    expect([1, 2, 3].map(() => limiter.take("a"))).toEqual([0, 0, 0]);
  });
});
