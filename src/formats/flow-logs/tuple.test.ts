import { describe, expect, it } from "vitest";
import { type TupleContext, TupleReader } from "./tuple.js";

const nsg = (version: number | undefined): TupleContext => ({
  kind: "nsg",
  version,
  rule: "UserRule_allow-https",
  nsgId: "/SUBSCRIPTIONS/S/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/N",
  aclId: undefined,
  targetResourceId: undefined,
  mac: "000D3AF87856",
});
const vnet: TupleContext = {
  kind: "vnet",
  version: undefined,
  rule: "DefaultRule_DenyAllInBound",
  nsgId: undefined,
  aclId: "9a8b7c6d-5e4f-3a2b-1c0d-e9f8a7b6c5d4",
  targetResourceId:
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v",
  mac: "112233445566",
};

function read(text: string, context: TupleContext) {
  const reader = new TupleReader();
  // Padding on both sides: the reader works inside a larger buffer.
  const b = Buffer.from(`xx${text}yy`, "latin1");
  const flow = reader.read(b, 2, 2 + text.length, context);
  return { flow, problem: reader.problem, at: reader.problemAt - 2 };
}

describe("NSG flow log tuples", () => {
  it("reads version 2 field by field, a B tuple's empty counts left out", () => {
    expect(read("1542110377,10.5.16.4,203.0.113.118,59831,443,T,O,A,B,,,,", nsg(2)).flow).toEqual({
      format: "nsg-v2",
      time: 1542110377000,
      source: "10.5.16.4",
      destination: "203.0.113.118",
      sourcePort: 59831,
      destinationPort: 443,
      protocol: 6,
      direction: "Outbound",
      access: "Allow",
      state: "B",
      rule: "UserRule_allow-https",
      nsgId:
        "/SUBSCRIPTIONS/S/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/N",
      mac: "000D3AF87856",
    });
  });

  it("reads version 2 counts, UDP and inbound denials", () => {
    const { flow } = read(
      "1542110379,198.51.100.7,10.5.16.4,44931,53,U,I,D,C,30,16978,24,14008",
      nsg(2),
    );
    expect(flow).toMatchObject({
      protocol: 17,
      direction: "Inbound",
      access: "Deny",
      state: "C",
      packetsSent: 30,
      bytesSent: 16978,
      packetsReceived: 24,
      bytesReceived: 14008,
    });
    expect(read("1,10.0.0.1,10.0.0.2,1,2,T,I,A,E,1,66,1,66", nsg(2)).flow?.state).toBe("E");
  });

  it("reads version 1 (8 fields: no state, no counts)", () => {
    const { flow } = read("1542110377,10.5.16.4,203.0.113.118,59831,443,T,O,A", nsg(1));
    expect(flow).toMatchObject({ format: "nsg-v1", time: 1542110377000, access: "Allow" });
    expect(flow?.state).toBeUndefined();
    expect(flow?.packetsSent).toBeUndefined();
  });

  it("takes the version from the field count when the record gives none", () => {
    expect(read("1,10.0.0.1,10.0.0.2,1,2,T,I,A", nsg(undefined)).flow?.format).toBe("nsg-v1");
    expect(read("1,10.0.0.1,10.0.0.2,1,2,T,I,A,B,,,,", nsg(undefined)).flow?.format).toBe("nsg-v2");
  });

  it.each([
    [
      "1,10.0.0.1,10.0.0.2,1,2,T,I,A",
      2,
      0,
      "has 8 fields; NSG flow logs' version 2 tuples have 13",
    ],
    [
      "1,10.0.0.1,10.0.0.2,1,2,T,I,A,B,,,,",
      1,
      0,
      "has 13 fields; NSG flow logs' version 1 tuples have 8",
    ],
    ["1,10.0.0.1,10.0.0.2,1,2,T,I,A,B", undefined, 0, "has 9 fields"],
    ["x,10.0.0.1,10.0.0.2,1,2,T,I,A", 1, 0, "timestamp"],
    ["1,10.0.0.256,10.0.0.2,1,2,T,I,A", 1, 2, "source is not an IP address"],
    ["1,10.0.0.1,010.0.0.2,1,2,T,I,A", 1, 11, "destination is not an IP address"],
    ["1,10.0.0.1,10.0.0,1,2,T,I,A", 1, 11, "destination is not an IP address"],
    ["1,10.0.0.1,10.0.0.2,65536,2,T,I,A", 1, 20, "source port"],
    ["1,10.0.0.1,10.0.0.2,1,,T,I,A", 1, 22, "destination port"],
    ["1,10.0.0.1,10.0.0.2,1,2,I,I,A", 1, 24, "protocol is not T (TCP) or U (UDP)"],
    ["1,10.0.0.1,10.0.0.2,1,2,6,I,A", 1, 24, "protocol is not T (TCP) or U (UDP)"],
    ["1,10.0.0.1,10.0.0.2,1,2,T,In,A", 1, 26, "direction is not I or O"],
    ["1,10.0.0.1,10.0.0.2,1,2,T,I,B", 1, 28, "decision is not A or D"],
    ["1,10.0.0.1,10.0.0.2,1,2,T,I,A,D,,,,", 2, 30, "state is not B, C or E"],
    ["1,10.0.0.1,10.0.0.2,1,2,T,I,A,C,1,-2,3,4", 2, 32, "counts"],
  ])("rejects %s, pointing at the field", (text, version, at, problem) => {
    const result = read(text, nsg(version));
    expect(result.flow).toBeUndefined();
    expect(result.problem).toContain(problem);
    expect(result.at).toBe(at);
  });
});

describe("virtual network flow log tuples", () => {
  it("reads the documented denial field by field: state D is Deny, NX kept, counts zero", () => {
    expect(
      read("1663145998065,101.33.218.153,10.0.0.6,55188,22,6,I,D,NX,0,0,0,0", vnet).flow,
    ).toEqual({
      format: "vnet",
      time: 1663145998065,
      source: "101.33.218.153",
      destination: "10.0.0.6",
      sourcePort: 55188,
      destinationPort: 22,
      protocol: 6,
      direction: "Inbound",
      access: "Deny",
      state: "D",
      encryption: "NX",
      packetsSent: 0,
      bytesSent: 0,
      packetsReceived: 0,
      bytesReceived: 0,
      rule: "DefaultRule_DenyAllInBound",
      aclId: "9a8b7c6d-5e4f-3a2b-1c0d-e9f8a7b6c5d4",
      targetResourceId:
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v",
      mac: "112233445566",
    });
  });

  it("reads any IANA protocol, the other states as Allow, IPv6 addresses and any encryption word", () => {
    const { flow } = read(
      "1663146003599,2001:db8::7,2001:db8:1::6,0,0,58,O,C,NX_HW_NOT_SUPPORTED,3,767,2,1580",
      vnet,
    );
    expect(flow).toMatchObject({
      source: "2001:db8::7",
      destination: "2001:db8:1::6",
      protocol: 58,
      direction: "Outbound",
      access: "Allow",
      state: "C",
      encryption: "NX_HW_NOT_SUPPORTED",
      bytesReceived: 1580,
    });
    for (const state of ["B", "E"])
      expect(read(`1,10.0.0.1,10.0.0.2,1,2,17,I,${state},X,0,0,0,0`, vnet).flow?.access).toBe(
        "Allow",
      );
  });

  it.each([
    [
      "1,10.0.0.1,10.0.0.2,1,2,6,I,D,NX,0,0,0",
      0,
      "has 12 fields; virtual network flow logs' tuples have 13",
    ],
    ["1,10.0.0.1,10.0.0.2,1,2,T,I,D,NX,0,0,0,0", 24, "not an IANA protocol number"],
    ["1,10.0.0.1,10.0.0.2,1,2,256,I,D,NX,0,0,0,0", 24, "not an IANA protocol number"],
    ["1,10.0.0.1,10.0.0.2,1,2,6,I,A,NX,0,0,0,0", 28, "state is not B, C, E or D"],
    ["1,10.0.0.1,10.0.0.2,1,2,6,I,D,,0,0,0,0", 30, "encryption"],
    ["1,10.0.0.1,2001:db8::zz,1,2,6,I,D,NX,0,0,0,0", 11, "destination is not an IP address"],
  ])("rejects %s, pointing at the field", (text, at, problem) => {
    const result = read(text, vnet);
    expect(result.flow).toBeUndefined();
    expect(result.problem).toContain(problem);
    expect(result.at).toBe(at);
  });

  it("keeps an address's text once, whatever the slot it shares", () => {
    const reader = new TupleReader();
    const wrong: string[] = [];
    for (let round = 0; round < 2; round++)
      for (let i = 0; i < 70_000; i++) {
        const address = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
        const text = `1,${address},192.0.2.1,1,2,6,I,D,NX,0,0,0,0`;
        const flow = reader.read(Buffer.from(text), 0, text.length, vnet);
        if (flow?.source !== address) wrong.push(`${address}: ${flow?.source}`);
      }
    expect(wrong).toEqual([]);
  });
});
