/** Exports write no load balancers: each one, and each interface's memberships, is named as not exported. */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../../test/support/cli.js";
import { loadSpec } from "../../specfile/load.js";
import { EXPORT_FORMATS, exportTopology } from "../catalog.js";

describe("exports of a spec with a load balancer", () => {
  it("name the load balancer and the interfaces' pool and NAT rule memberships, in every format", async () => {
    const { spec } = loadSpec(join(ROOT, "examples/load-balancer"));
    if (!spec) throw new Error("examples/load-balancer does not load");
    for (const format of EXPORT_FORMATS) {
      const { text, diagnostics } = await exportTopology(format, spec.topology);
      expect(text, format).toContain("web-nsg");
      const notes = diagnostics
        .filter((d) => d.code === "NotExported" && /loadBalancer/.test(d.path.join(".")))
        .map((d) => [d.path.join("."), d.severity]);
      expect(notes, format).toEqual([
        ["loadBalancers.0", "info"],
        ["networkInterfaces.0.ipConfigurations.0.loadBalancerBackendAddressPools", "info"],
        ["networkInterfaces.0.ipConfigurations.0.loadBalancerInboundNatRules", "info"],
        ["networkInterfaces.1.ipConfigurations.0.loadBalancerBackendAddressPools", "info"],
      ]);
      const membership = diagnostics.find((d) =>
        /loadBalancerInboundNatRules$/.test(d.path.join(".")),
      );
      expect(membership?.message, format).toBe(
        `network interface web1-nic: its inbound NAT rules (web-lb/rdp-web1) ${format === "arm" || format === "bicep" ? "are written as references to the load balancer, which the export does not create: it must exist when deploying" : "are not written; join them when deploying the load balancer"}`,
      );
      // ARM and Bicep keep an interface they declare in its pools.
      const all = await exportTopology(format, spec.topology, "all");
      expect(all.text.includes("loadBalancers/backendAddressPools"), format).toBe(
        format === "arm" || format === "bicep",
      );
      const lb = diagnostics.find((d) => d.path.join(".") === "loadBalancers.0");
      expect(lb?.message).toBe(
        "load balancer web-lb (1 frontend, 1 load-balancing rule, 1 inbound NAT rule) is not exported; create it when deploying, or what its rules forward to the backends is not reached",
      );
    }
  });
});
