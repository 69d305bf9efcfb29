/**
 * Application gateways in a whole ARM or Bicep deployment (export --scope
 * all): written with their subnet, frontends, listeners, pools, settings and
 * rules, interfaces joining their pools after them, imported back to the same
 * gateway, with the same verdicts for flows to it; other exports name them.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../../test/support/cli.js";
import { loadSpecText } from "../../../test/support/spec.js";
import { FlowEvaluator } from "../../engine/flow.js";
import type { Network } from "../../model/network.js";
import { loadSpec } from "../../specfile/load.js";
import { exportTopology, importSources } from "../catalog.js";

const verdicts = (network: Network) =>
  [
    ["Internet", "agw:web-gateway", 443],
    ["Internet", "agw:web-gateway", 80],
    ["Internet", "web1-nic", 8080],
  ].map(([from, to, port]) => {
    const r = new FlowEvaluator(network).evaluate({
      from: String(from),
      to: String(to),
      protocol: "Tcp",
      destinationPort: Number(port),
    });
    if (!r.ok) throw new Error(r.message);
    return [r.result.access, r.result.applicationGateway?.backends.length ?? null];
  });

const example = () => {
  const { spec } = loadSpec(join(ROOT, "examples/application-gateway"));
  if (!spec) throw new Error("examples/application-gateway does not load");
  return spec;
};

describe("an application gateway in a whole deployment", () => {
  it("is written in ARM, imports back the same, and flows to it keep their verdicts", async () => {
    const spec = example();
    const exported = await exportTopology("arm", spec.topology, "all");
    expect(exported.diagnostics.filter((d) => d.code === "NotExported")).toEqual([]);
    const template = JSON.parse(exported.text) as {
      resources: { type: string; name: string; dependsOn?: string[] }[];
    };
    const nic = template.resources.find((r) => r.name === "web1-nic");
    expect(nic?.dependsOn).toContain(
      "[resourceId('Microsoft.Network/applicationGateways', 'web-gateway')]",
    );
    const back = await importSources([{ file: "azuredeploy.json", text: exported.text }]);
    expect(back.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    const [gw] = back.topology.applicationGateways ?? [];
    const [original] = spec.topology.applicationGateways ?? [];
    expect(gw?.requestRoutingRules).toEqual(
      original?.requestRoutingRules?.map((r) => ({ ...r, ruleType: r.ruleType ?? "Basic" })),
    );
    expect(gw?.sku).toEqual(original?.sku);
    const reloaded = loadSpecText(back.spec ?? "");
    if (!reloaded.spec) throw new Error(reloaded.diagnostics.map((d) => d.message).join("\n"));
    expect(verdicts(reloaded.spec.network)).toEqual(verdicts(spec.network));
    expect(verdicts(spec.network)).toEqual([
      ["Allow", 2],
      ["Deny", 0],
      ["Deny", null],
    ]);
  });

  it("in Bicep, interfaces name the pool through the gateway's symbol", async () => {
    const { text } = await exportTopology("bicep", example().topology, "all");
    expect(text).toContain("resource agwWebGateway 'Microsoft.Network/applicationGateways@");
    expect(text).toContain(`id: '\${agwWebGateway.id}/backendAddressPools/web'`);
  });

  it("is named as not exported where the export does not write it", async () => {
    const { diagnostics } = await exportTopology("arm", example().topology, "nsgs");
    expect(
      diagnostics.filter((d) => d.code === "NotExported").map((d) => d.path.join(".")),
    ).toEqual([
      "applicationGateways.0",
      "networkInterfaces.0.ipConfigurations.0.applicationGatewayBackendAddressPools",
      "networkInterfaces.1.ipConfigurations.0.applicationGatewayBackendAddressPools",
    ]);
  });
});
