import { describe, expect, it } from "vitest";
import type { LoggedFlow } from "../../model/logged-flow.js";
import { flowLogDocuments, tupleText } from "./write.js";

const NSG =
  "/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000000/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/WEB";

const begin: LoggedFlow = {
  format: "nsg-v2",
  time: 1542110377_000,
  source: "10.5.16.4",
  destination: "203.0.113.118",
  sourcePort: 59831,
  destinationPort: 443,
  protocol: 6,
  direction: "Outbound",
  access: "Allow",
  state: "B",
  rule: "DefaultRule_AllowInternetOutBound",
  nsgId: NSG,
  mac: "000D3AF8801A",
};

describe("flow-log writer", () => {
  it("writes tuples as the documentation shows them", () => {
    expect(tupleText(begin)).toBe("1542110377,10.5.16.4,203.0.113.118,59831,443,T,O,A,B,,,,");
    expect(tupleText({ ...begin, format: "nsg-v1", state: undefined })).toBe(
      "1542110377,10.5.16.4,203.0.113.118,59831,443,T,O,A",
    );
    expect(
      tupleText({
        format: "vnet",
        time: 1663145998065,
        source: "198.51.100.153",
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
      }),
    ).toBe("1663145998065,198.51.100.153,10.0.0.6,55188,22,6,I,D,NX,0,0,0,0");
  });

  it("puts each hour and interface in its blob, one record per minute", () => {
    const docs = flowLogDocuments([
      begin,
      {
        ...begin,
        time: begin.time + 5_000,
        state: "E",
        packetsSent: 3,
        bytesSent: 700,
        packetsReceived: 2,
        bytesReceived: 1500,
      },
      { ...begin, time: begin.time + 3_600_000 },
    ]);
    expect([...docs.keys()]).toEqual([
      `resourceId=${NSG}/y=2018/m=11/d=13/h=11/m=00/macAddress=000D3AF8801A/PT1H.json`,
      `resourceId=${NSG}/y=2018/m=11/d=13/h=12/m=00/macAddress=000D3AF8801A/PT1H.json`,
    ]);
    const first = JSON.parse(docs.values().next().value as string);
    expect(first.records).toHaveLength(1);
    expect(first.records[0]).toMatchObject({
      category: "NetworkSecurityGroupFlowEvent",
      resourceId: NSG,
      properties: {
        Version: 2,
        flows: [
          {
            rule: "DefaultRule_AllowInternetOutBound",
            flows: [
              {
                mac: "000D3AF8801A",
                flowTuples: [
                  "1542110377,10.5.16.4,203.0.113.118,59831,443,T,O,A,B,,,,",
                  "1542110382,10.5.16.4,203.0.113.118,59831,443,T,O,A,E,3,700,2,1500",
                ],
              },
            ],
          },
        ],
      },
    });
  });
});
