/** How a flow through an application gateway is printed: the gateway's line, each leg, and in JSON. */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../../test/support/cli.js";
import { FlowEvaluator } from "../../engine/flow.js";
import { loadSpec } from "../../specfile/load.js";
import { Style } from "./style.js";
import { flowJson, renderFlow } from "./trace.js";

function flow(port: number) {
  const { spec } = loadSpec(join(ROOT, "examples/application-gateway"));
  if (!spec) throw new Error("examples/application-gateway does not load");
  const r = new FlowEvaluator(spec.network).evaluate({
    from: "Internet",
    to: "agw:web-gateway",
    protocol: "Tcp",
    destinationPort: port,
  });
  if (!r.ok) throw new Error(r.message);
  return r.result;
}

describe("a flow through an application gateway, printed", () => {
  it("shows the listener and rule, the proxy, and each leg with its NSGs", () => {
    const text = renderFlow(flow(443), new Style(false));
    expect(text).toContain(
      "application gateway: web-gateway (WAF_v2, v2), frontend public 203.0.113.50:443, listener https (Https), rule web -> pool web, Http port 8080 (settings web-8080)",
    );
    expect(text).toContain("X-Forwarded-For");
    expect(text).toContain(
      "leg 1, client -> gateway (instance 10.50.0.x of subnet app-vnet/gateway): Allow by securityRules/allow-https of gateway-nsg",
    );
    expect(text).toContain(
      "leg 2, gateway -> backend network interface web2-nic (ipconfig1) on 10.50.1.5:8080: Allow by securityRules/allow-gateway-8080 of web-nsg",
    );
  });

  it("says when no listener takes the port", () => {
    const text = renderFlow(flow(80), new Style(false));
    expect(text).toContain("no listener on this port");
    expect(text).toContain("route: none");
  });

  it("gives both legs in JSON", () => {
    const json = flowJson(flow(443)) as {
      applicationGateway: {
        inbound: { access: string; rule: string };
        backends: { connectsTo: string; access: string }[];
        proxy: string;
      };
    };
    expect(json.applicationGateway.inbound).toMatchObject({
      access: "Allow",
      rule: "securityRules/allow-https",
    });
    expect(json.applicationGateway.backends.map((b) => [b.connectsTo, b.access])).toEqual([
      ["10.50.1.4:8080", "Allow"],
      ["10.50.1.5:8080", "Allow"],
    ]);
    expect(json.applicationGateway.proxy).toContain("X-Forwarded-For");
  });
});
