import { describe, expect, it } from "vitest";
import { loadSpecText, networkOf } from "../../test/support/spec.js";
import { FlowEvaluator, type FlowResult } from "./flow.js";

// A hub (an appliance, and a gateway to on-premises 192.168.0.0/16) peered with
// two spokes that are not peered with each other. spoke1's app subnet follows
// the route table rt-app.
function spec(options: {
  routes?: string[];
  disableBgp?: boolean;
  spoke1ToHub?: string;
  hubToSpoke2?: string;
  spoke2ToHub?: string;
  appNsg?: string;
}): string {
  const routes = options.routes ?? [];
  return `
virtualNetworks:
  - name: hub
    addressSpace: { addressPrefixes: [10.0.0.0/16] }
    connectedAddressPrefixes: [192.168.0.0/16]
    subnets: [{ name: nva, addressPrefix: 10.0.1.0/24 }]
    virtualNetworkPeerings:
      - { remoteVirtualNetwork: spoke1, allowGatewayTransit: true }
      - { remoteVirtualNetwork: spoke2${options.hubToSpoke2 ?? ""} }
  - name: spoke1
    addressSpace: { addressPrefixes: [10.1.0.0/16] }
    subnets:
      - { name: app, addressPrefix: 10.1.1.0/24, routeTable: rt-app${options.appNsg ? `, networkSecurityGroup: ${options.appNsg}` : ""} }
    virtualNetworkPeerings:
      - { remoteVirtualNetwork: hub${options.spoke1ToHub ?? ""} }
  - name: spoke2
    addressSpace: { addressPrefixes: [10.2.0.0/16] }
    subnets: [{ name: db, addressPrefix: 10.2.1.0/24 }]
    virtualNetworkPeerings:
      - { remoteVirtualNetwork: hub${options.spoke2ToHub ?? ", allowForwardedTraffic: true"} }
routeTables:
  - name: rt-app
    disableBgpRoutePropagation: ${options.disableBgp === true}
    routes: ${routes.length === 0 ? "[]" : `\n${routes.map((r) => `      - ${r}`).join("\n")}`}
networkSecurityGroups:
  - name: deny-db
    securityRules:
      - { name: no-db, priority: 100, direction: Outbound, access: Deny, protocol: "*", sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: 10.2.1.0/24, destinationPortRange: "*" }
networkInterfaces:
  - name: nva-nic
    ipConfigurations: [{ privateIPAddress: 10.0.1.4, subnet: nva }]
  - name: vm1
    ipConfigurations: [{ privateIPAddress: 10.1.1.4, subnet: app }]
  - name: vm2
    ipConfigurations: [{ privateIPAddress: 10.2.1.4, subnet: db }]
`;
}

const toSpoke2ThroughNva =
  "{ name: to-spoke2, addressPrefix: 10.2.0.0/16, nextHopType: VirtualAppliance, nextHopIpAddress: 10.0.1.4 }";

function flow(text: string, from: string, to: string): FlowResult {
  const evaluated = new FlowEvaluator(networkOf(text)).evaluate({
    from,
    to,
    protocol: "Tcp",
    destinationPort: 1433,
  });
  if (!evaluated.ok) throw new Error(evaluated.message);
  return evaluated.result;
}

describe("route tables", () => {
  it("a route to an appliance carries a packet between spokes that are not peered", () => {
    const without = flow(spec({}), "nic:vm1", "nic:vm2");
    expect(without.route).toBe("none");
    const r = flow(spec({ routes: [toSpoke2ThroughNva] }), "nic:vm1", "nic:vm2");
    expect(r.access).toBe("Allow");
    expect(r.route).toBe("private");
    expect(r.nextHop).toMatchObject({
      source: "User",
      nextHopType: "VirtualAppliance",
      name: "to-spoke2",
      routeTable: "rt-app",
      addressPrefix: "10.2.0.0/16",
    });
    expect(r.routeReason).toBe(
      "leaves through the appliance at 10.0.1.4 (network interface nva-nic), by route to-spoke2 of route table rt-app (10.2.0.0/16 -> VirtualAppliance 10.0.1.4), toward 10.2.1.4; tierwall does not model what the appliance does: the NSGs shown are those of the direct path",
    );
    expect(r.reason).toBe("no NSG on the path, if the appliance at 10.0.1.4 forwards it");
  });

  it("through an appliance, the NSGs of the direct path still decide", () => {
    const r = flow(spec({ routes: [toSpoke2ThroughNva], appNsg: "deny-db" }), "nic:vm1", "nic:vm2");
    expect(r.access).toBe("Deny");
    expect(r.rule).toBe("securityRules/no-db");
    expect(r.nextHop?.nextHopType).toBe("VirtualAppliance");
    expect(r.trace.map((t) => t.packet)).toEqual(["Tcp 10.1.1.4:49152 -> 10.2.1.4:1433"]);
  });

  it("forwarded traffic crosses a peering only when one of its two sides allows it", () => {
    const neither = flow(
      spec({ routes: [toSpoke2ThroughNva], spoke2ToHub: "" }),
      "nic:vm1",
      "nic:vm2",
    );
    expect(neither.access).toBe("Deny");
    expect(neither.route).toBe("none");
    expect(neither.reason).toMatch(
      /the appliance forwards it from hub to spoke2, and neither peering between them sets allowForwardedTraffic/,
    );
    expect(neither.nextHop?.name).toBe("to-spoke2");
    const sendingSide = flow(
      spec({
        routes: [toSpoke2ThroughNva],
        spoke2ToHub: "",
        hubToSpoke2: ", allowForwardedTraffic: true",
      }),
      "nic:vm1",
      "nic:vm2",
    );
    expect(sendingSide.access).toBe("Allow");
    expect(sendingSide.routeReason).toMatch(
      /only hub's peering to spoke2 sets allowForwardedTraffic; Azure's documentation puts the flag on spoke2's side/,
    );
  });

  it("None drops the packet and names the route; the NSGs' verdict is still shown", () => {
    const r = flow(
      spec({
        routes: [
          toSpoke2ThroughNva,
          "{ name: drop-db, addressPrefix: 10.2.1.0/24, nextHopType: None }",
        ],
        appNsg: "deny-db",
      }),
      "nic:vm1",
      "nic:vm2",
    );
    expect(r.access).toBe("Deny");
    expect(r.route).toBe("none");
    expect(r.rule).toBeUndefined();
    expect(r.routeReason).toBe(
      "route drop-db of route table rt-app (10.2.1.0/24 -> None) drops packets to 10.2.1.4",
    );
    expect(r.nsgs?.rule).toBe("securityRules/no-db");
    expect(r.reason).toMatch(
      /^no route: route drop-db .*; the NSGs would deny it too, by securityRules\/no-db of deny-db$/,
    );
  });

  it("the longest prefix wins, whichever route table order", () => {
    const routes = [
      "{ name: drop-db, addressPrefix: 10.2.1.0/24, nextHopType: None }",
      toSpoke2ThroughNva,
    ];
    const text = spec({ routes });
    expect(flow(text, "nic:vm1", "nic:vm2").nextHop?.name).toBe("drop-db");
    expect(flow(text, "nic:vm1", "10.2.2.9").nextHop?.name).toBe("to-spoke2");
    expect(flow(text, "nic:vm1", "10.2.2.9").route).toBe("private");
  });

  it("a user route wins over a system route of equal length", () => {
    // 10.0.0.0/16 is also the system route to the peered hub.
    const text = spec({
      routes: ["{ name: no-hub, addressPrefix: 10.0.0.0/16, nextHopType: None }"],
    });
    const r = flow(text, "nic:vm1", "nic:nva-nic");
    expect(r.route).toBe("none");
    expect(r.nextHop?.name).toBe("no-hub");
    // Without it, the system route to the peer carries it.
    const plain = flow(spec({}), "nic:vm1", "nic:nva-nic");
    expect(plain.route).toBe("private");
    expect(plain.nextHop).toMatchObject({ source: "Default", nextHopType: "VNetPeering" });
    expect(plain.routeReason).toBe("on private addresses, inside connected networks");
    // 0.0.0.0/0 to an appliance replaces the system route to the Internet.
    const forced = flow(
      spec({
        routes: [
          "{ name: default, addressPrefix: 0.0.0.0/0, nextHopType: VirtualAppliance, nextHopIpAddress: 10.0.1.4 }",
        ],
      }),
      "nic:vm1",
      "203.0.113.9",
    );
    expect(forced.route).toBe("public");
    expect(forced.nextHop?.name).toBe("default");
    expect(forced.routeReason).toMatch(/^leaves through the appliance at 10.0.1.4/);
  });

  it("Internet: a public destination goes out, a private one is not reached", () => {
    const text = spec({
      routes: [
        "{ name: web, addressPrefix: 203.0.113.0/24, nextHopType: Internet }",
        "{ name: hub-out, addressPrefix: 10.0.0.0/16, nextHopType: Internet }",
      ],
    });
    const out = flow(text, "nic:vm1", "203.0.113.9");
    expect(out.route).toBe("public");
    expect(out.routeReason).toBe(
      "across the Internet, by route web of route table rt-app (203.0.113.0/24 -> Internet), to 203.0.113.9",
    );
    const hub = flow(text, "nic:vm1", "nic:nva-nic");
    expect(hub.route).toBe("none");
    expect(hub.routeReason).toMatch(
      /sends it to the Internet, where the private address 10\.0\.1\.4 is not reached$/,
    );
  });

  it("VnetLocal keeps a packet in the caller's network", () => {
    const text = spec({
      routes: ["{ name: local, addressPrefix: 10.2.0.0/16, nextHopType: VnetLocal }"],
    });
    const r = flow(text, "nic:vm1", "nic:vm2");
    expect(r.route).toBe("none");
    expect(r.routeReason).toMatch(
      /keeps it in virtual network spoke1, which does not hold 10\.2\.1\.4$/,
    );
  });

  it("a gateway reaches on-premises for its network, and for a peer that uses it", () => {
    const using = spec({ spoke1ToHub: ", useRemoteGateways: true" });
    const r = flow(using, "nic:vm1", "192.168.4.4");
    expect(r.access).toBe("Allow");
    expect(r.to).toBe("192.168.4.4 (on-premises, through the gateway of hub)");
    expect(r.nextHop).toMatchObject({
      source: "VirtualNetworkGateway",
      nextHopType: "VirtualNetworkGateway",
      network: "hub",
    });
    expect(r.routeReason).toBe(
      "to the virtual network gateway of hub (on-premises), by Azure's gateway route 192.168.0.0/16 -> VirtualNetworkGateway of hub, toward 192.168.4.4",
    );
    // Those spaces are connected to spoke1 now: part of its VirtualNetwork tag, not of spoke2's.
    const network = networkOf(using);
    const onPremises = { family: 4 as const, value: 0xc0a80404n };
    expect(network.vnets.get("spoke1")?.virtualNetworkTag.has(onPremises)).toBe(true);
    expect(network.vnets.get("spoke2")?.virtualNetworkTag.has(onPremises)).toBe(false);
    // The hub's own subnets have no route table: the gateway's routes reach them.
    expect(flow(using, "nic:nva-nic", "192.168.4.4").nextHop?.network).toBe("hub");
    // spoke2 does not use the hub's gateway: 192.168.0.0/16 is dropped by default.
    const spoke2 = flow(using, "nic:vm2", "192.168.4.4");
    expect(spoke2.route).toBe("none");
    expect(spoke2.routeReason).toBe(
      "Azure's system route 192.168.0.0/16 -> None drops packets to 192.168.4.4",
    );
    // A route table that stops gateway routes: the same default applies.
    const stopped = flow(
      spec({ spoke1ToHub: ", useRemoteGateways: true", disableBgp: true }),
      "nic:vm1",
      "192.168.4.4",
    );
    expect(stopped.route).toBe("none");
  });

  it("a user route to the gateway sends a packet there, and says what is not modelled", () => {
    const r = flow(
      spec({
        routes: [
          "{ name: via-gw, addressPrefix: 10.2.0.0/16, nextHopType: VirtualNetworkGateway }",
        ],
      }),
      "nic:vm1",
      "nic:vm2",
    );
    expect(r.route).toBe("private");
    expect(r.nextHop?.nextHopType).toBe("VirtualNetworkGateway");
    expect(r.routeReason).toMatch(/tierwall does not model the gateway or what lies beyond it$/);
    expect(r.reason).toBe(
      "no NSG on the path, if what lies beyond the virtual network gateway sends it on",
    );
  });

  it("private ranges outside every network are dropped by Azure's system routes", () => {
    const r = flow(spec({}), "nic:vm2", "10.200.0.1");
    expect(r.route).toBe("none");
    expect(r.routeReason).toBe(
      "Azure's system route 10.0.0.0/8 -> None drops packets to 10.200.0.1",
    );
    expect(flow(spec({}), "nic:vm2", "100.64.0.1").nextHop?.nextHopType).toBe("None");
  });

  it("from the Internet, a callee whose replies go to an appliance is reached, and the trace says the way back is not direct", () => {
    const withPublic = (text: string) =>
      text.replace(
        "{ privateIPAddress: 10.1.1.4, subnet: app }",
        "{ privateIPAddress: 10.1.1.4, subnet: app, publicIPAddress: 198.51.100.4 }",
      );
    const forced = withPublic(
      spec({
        routes: [
          "{ name: default, addressPrefix: 0.0.0.0/0, nextHopType: VirtualAppliance, nextHopIpAddress: 10.0.1.4 }",
        ],
      }),
    );
    const r = flow(forced, "203.0.113.7", "nic:vm1");
    expect(r.access).toBe("Allow");
    expect(r.routeReason).toBe(
      "across the Internet, from 203.0.113.7 to 198.51.100.4, translated to 10.1.1.4; replies to 203.0.113.7 follow route default of route table rt-app (0.0.0.0/0 -> VirtualAppliance 10.0.1.4), not straight back: Azure's documentation says a subnet routed so cannot be reached directly from the Internet; tierwall does not follow the way back",
    );
    // Without such a route, the way back is direct and nothing is said.
    expect(flow(withPublic(spec({})), "203.0.113.7", "nic:vm1").routeReason).toBe(
      "across the Internet, from 203.0.113.7 to 198.51.100.4, translated to 10.1.1.4",
    );
  });

  it("an appliance must be in the caller's network or a peer", () => {
    const r = flow(
      spec({
        routes: [
          "{ name: far, addressPrefix: 10.2.0.0/16, nextHopType: VirtualAppliance, nextHopIpAddress: 10.9.0.4 }",
        ],
      }),
      "nic:vm1",
      "nic:vm2",
    );
    expect(r.route).toBe("none");
    expect(r.routeReason).toMatch(
      /the appliance's address is in no virtual network that spoke1 reaches/,
    );
  });
});

describe("route tables are validated", () => {
  const codes = (text: string) =>
    loadSpecText(text)
      .diagnostics.filter((d) => d.severity === "error")
      .map((d) => [d.code, d.path.join("."), d.location?.line]);

  it("next hops, prefixes, names and references, each at its line", () => {
    const text = spec({
      routes: [
        "{ name: a, addressPrefix: 10.2.0.0/16, nextHopType: VirtualAppliance }",
        "{ name: b, addressPrefix: 10.3.0.0/16, nextHopType: None, nextHopIpAddress: 10.0.1.4 }",
        "{ name: c, addressPrefix: 10.4.0.1/16, nextHopType: None }",
        "{ name: d, addressPrefix: NoSuchTag, nextHopType: Internet }",
        "{ name: e, addressPrefix: 10.5.0.0/16, nextHopType: None }",
        "{ name: f, addressPrefix: 10.5.0.0/16, nextHopType: Internet }",
        "{ name: g, addressPrefix: VirtualNetwork, nextHopType: None }",
      ],
    });
    const line = (name: string) =>
      text.split("\n").findIndex((l) => l.includes(`name: ${name},`)) + 1;
    expect(codes(text)).toEqual([
      ["InvalidNextHopIpAddress", "routeTables.0.routes.0", line("a")],
      ["InvalidNextHopIpAddress", "routeTables.0.routes.1.nextHopIpAddress", line("b")],
      ["InvalidRouteAddressPrefix", "routeTables.0.routes.2.addressPrefix", line("c")],
      ["RouteConflict", "routeTables.0.routes.5.addressPrefix", line("f")],
      ["UnknownServiceTag", "routeTables.0.routes.6.addressPrefix", line("g")],
    ]);
    // A tag no list holds (Azure's routes take some, such as CorpNetSaw): the route is named and left out.
    expect(
      loadSpecText(text)
        .diagnostics.filter((d) => d.severity === "warning")
        .map((d) => [d.code, d.path.join("."), d.location?.line]),
    ).toContainEqual(["UnknownServiceTag", "routeTables.0.routes.3.addressPrefix", line("d")]);
    expect(codes(text.replace("routeTable: rt-app", "routeTable: rt-none"))).toContainEqual([
      "InvalidResourceReference",
      "virtualNetworks.1.subnets.0.routeTable",
      expect.any(Number),
    ]);
  });

  it("a network uses a remote gateway only where the remote peering allows transit", () => {
    const text = spec({ spoke2ToHub: ", useRemoteGateways: true" });
    expect(codes(text)).toEqual([
      [
        "RemotePeeringDoesNotAllowGatewayTransit",
        "virtualNetworks.2.virtualNetworkPeerings.0.useRemoteGateways",
        expect.any(Number),
      ],
    ]);
  });

  it("a route may name a service tag of the tags file, with each of its prefixes", () => {
    const tags = JSON.stringify({
      values: [{ name: "Storage", properties: { addressPrefixes: ["20.60.0.0/16"] } }],
    });
    const text = `serviceTags: tags.json\n${spec({
      routes: [
        "{ name: storage, addressPrefix: Storage, nextHopType: VirtualAppliance, nextHopIpAddress: 10.0.1.4 }",
      ],
    })}`;
    const loaded = loadSpecText(text, { "tags.json": tags });
    expect(loaded.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const network = loaded.spec?.network;
    if (!network) throw new Error("no network");
    const r = new FlowEvaluator(network).evaluate({
      from: "nic:vm1",
      to: "20.60.1.1",
      protocol: "Tcp",
      destinationPort: 443,
    });
    expect(r.ok && r.result.nextHop?.name).toBe("storage");
  });
});
