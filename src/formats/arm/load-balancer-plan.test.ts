/**
 * Load balancers in a whole ARM deployment (export --scope all): written with
 * their frontends, pools, probes and rules, imported back to the same load
 * balancer, and the same verdicts for flows to its frontend.
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
    ["198.51.100.7", 50001],
    ["Internet", 50001],
    ["Internet", 80],
    ["Internet", 3389],
  ].map(([from, port]) => {
    const r = new FlowEvaluator(network).evaluate({
      from: String(from),
      to: "lb:web-lb",
      protocol: "Tcp",
      destinationPort: Number(port),
    });
    if (!r.ok) throw new Error(r.message);
    return [r.result.access, r.result.rule ?? null, r.result.loadBalancer?.rule?.name ?? null];
  });

describe("a load balancer in a whole ARM deployment", () => {
  it("is written, imports back the same, and flows to its frontend keep their verdicts", async () => {
    const { spec } = loadSpec(join(ROOT, "examples/load-balancer"));
    if (!spec) throw new Error("examples/load-balancer does not load");
    const exported = await exportTopology("arm", spec.topology, "all");
    expect(exported.diagnostics.filter((d) => /loadBalancer/.test(d.path.join(".")))).toEqual([]);
    const template = JSON.parse(exported.text) as {
      resources: { type: string; dependsOn?: string[] }[];
    };
    const nic = template.resources.find((r) => r.type === "Microsoft.Network/networkInterfaces");
    expect(nic?.dependsOn).toContain("[resourceId('Microsoft.Network/loadBalancers', 'web-lb')]");
    const back = await importSources([{ file: "azuredeploy.json", text: exported.text }]);
    expect(back.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    const [lb] = back.topology.loadBalancers ?? [];
    const [original] = spec.topology.loadBalancers ?? [];
    expect(
      lb?.loadBalancingRules?.map((r) => [r.name, r.frontendPort, r.backendPort, r.probe]),
    ).toEqual(
      original?.loadBalancingRules?.map((r) => [r.name, r.frontendPort, r.backendPort, r.probe]),
    );
    expect(lb?.inboundNatRules?.map((r) => [r.name, r.frontendPort, r.backendPort])).toEqual([
      ["rdp-web1", 50001, 3389],
    ]);
    const reloaded = loadSpecText(back.spec ?? "");
    if (!reloaded.spec) throw new Error(reloaded.diagnostics.map((d) => d.message).join("\n"));
    expect(verdicts(reloaded.spec.network)).toEqual(verdicts(spec.network));
    expect(verdicts(spec.network)).toEqual([
      ["Allow", "securityRules/allow-rdp-admins", "rdp-web1"],
      ["Deny", "defaultSecurityRules/DenyAllInBound", "rdp-web1"],
      ["Allow", "securityRules/allow-http", "http"],
      ["Deny", null, null],
    ]);
  });

  it("in Bicep, interfaces name the pool through the load balancer's symbol, and its rules their own children by resourceId()", async () => {
    const { spec } = loadSpec(join(ROOT, "examples/load-balancer"));
    if (!spec) throw new Error("examples/load-balancer does not load");
    const { text } = await exportTopology("bicep", spec.topology, "all");
    expect(text).toContain("resource lbWebLb 'Microsoft.Network/loadBalancers@");
    // Bicep's own interpolation, written as the file holds it.
    expect(text).toContain(`id: '\${lbWebLb.id}/backendAddressPools/web-pool'`);
    expect(text).toContain(
      "id: resourceId('Microsoft.Network/loadBalancers/frontendIPConfigurations', 'web-lb', 'web-fe')",
    );
  });
});
