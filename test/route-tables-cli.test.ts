/** `tierwall flow`, `check` and `exposure` on examples/hub-spoke-routes, as a user runs them. */
import { beforeAll, describe, expect, it } from "vitest";
import { requireBuild, tierwall } from "./support/cli.js";

beforeAll(requireBuild);

const flowJson = (...args: string[]) =>
  JSON.parse(tierwall(["flow", "examples/hub-spoke-routes", ...args, "--json"]).stdout);

describe("tierwall on route tables", () => {
  it("flow --json gives the route taken under route.nextHop, and a drop is decided by the route", () => {
    const dropped = flowJson("--from", "web-nic", "--to", "quarantine-nic", "--port", "22");
    expect(dropped.access).toBe("Deny");
    expect(dropped.decidedBy).toBe("route");
    expect(dropped.route).toEqual({
      kind: "none",
      reason:
        "route no-quarantine of route table rt-web (10.1.9.0/24 -> None) drops packets to 10.1.9.4",
      nextHop: {
        source: "User",
        addressPrefix: "10.1.9.0/24",
        nextHopType: "None",
        nextHopIpAddress: null,
        name: "no-quarantine",
        routeTable: "rt-web",
        virtualNetwork: null,
      },
    });
    // The NSGs' own verdict, apart.
    expect(dropped.nsgs.access).toBe("Allow");
    const onPremises = flowJson("--from", "web-nic", "--to", "192.168.10.5", "--port", "1433");
    expect(onPremises.route.nextHop).toEqual({
      source: "VirtualNetworkGateway",
      addressPrefix: "192.168.0.0/16",
      nextHopType: "VirtualNetworkGateway",
      nextHopIpAddress: null,
      name: null,
      routeTable: null,
      virtualNetwork: "hub",
    });
  });

  it("check holds the example's assertions, the route table's drop among them", () => {
    const r = tierwall(["check", "examples/hub-spoke-routes"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("4 assertions: 4 held, 0 failed");
  });
});
