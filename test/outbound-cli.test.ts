/** `tierwall flow`, `check` and `lint` on examples/nat-gateway, as a user runs them. */
import { beforeAll, describe, expect, it } from "vitest";
import { requireBuild, tierwall } from "./support/cli.js";

beforeAll(requireBuild);

const flowJson = (...args: string[]) =>
  JSON.parse(tierwall(["flow", "examples/nat-gateway", ...args, "--json"]).stdout);

describe("tierwall on the way out to the Internet", () => {
  it("flow --json gives the egress beside the route, and no way out is decided by the route", () => {
    const nat = flowJson("--from", "vm1", "--to", "192.0.2.80", "--port", "443");
    expect(nat.egress).toEqual({
      via: "NatGateway",
      name: "nat1",
      publicAddresses: ["203.0.113.10"],
      reason:
        "leaves through NAT gateway nat1, from 203.0.113.10 (the NAT gateway comes before the interface's own public IP)",
    });
    expect(nat.decidedBy).toBe("nsgs");
    const none = flowJson("--from", "worker", "--to", "192.0.2.80", "--port", "443");
    expect(none).toMatchObject({ access: "Deny", decidedBy: "route", route: { kind: "none" } });
    expect(none.egress.via).toBe("None");
    expect(none.nsgs.access).toBe("Allow");
    const implicit = flowJson("--from", "old-vm", "--to", "192.0.2.80", "--port", "443");
    expect(implicit.egress).toMatchObject({
      via: "DefaultOutboundAccess",
      name: null,
      publicAddresses: ["<default outbound access>"],
    });
    // Inside the network there is no egress.
    expect(flowJson("--from", "vm1", "--to", "worker", "--port", "22").egress).toBeUndefined();
  });

  it("check holds the example's assertions, and lint notes the subnet with no way out", () => {
    const check = tierwall(["check", "examples/nat-gateway"]);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain("3 assertions: 3 held, 0 failed");
    const lint = tierwall(["lint", "examples/nat-gateway"]);
    expect(lint.stdout).toContain("note NoInternetEgress: subnet vnet/batch");
    expect(lint.stdout).toContain("tierwall.yaml:16:75");
  });
});
