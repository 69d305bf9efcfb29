import { describe, expect, it } from "vitest";
import type { SpecAssertion } from "./assertions.js";
import { describeSpecAssertion } from "./check.js";

describe("an assertion's title", () => {
  const exposure = (within: Extract<SpecAssertion, { kind: "exposure" }>["within"]) =>
    describeSpecAssertion({ kind: "exposure", to: "api", within, path: [] } as SpecAssertion);

  it("says what the Internet may reach, once", () => {
    expect(exposure([{ protocols: ["Tcp"], ports: [{ first: 443, last: 443 }] }])).toBe(
      "the Internet reaches api only on Tcp ports 443",
    );
    expect(exposure([{ protocols: ["Tcp"] }, { ports: [{ first: 53, last: 53 }] }])).toBe(
      "the Internet reaches api only on Tcp; on any protocol ports 53",
    );
    expect(exposure([{}])).toBe("the Internet reaches api only on anything");
    expect(exposure([])).toBe("the Internet reaches api only nothing");
  });
});
