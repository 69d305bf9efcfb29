/**
 * Findings about load balancers, placed on the rule they are about: a backend
 * whose NSGs deny the rule's health probe (Azure marks it down: the rule
 * sends it nothing), and a public rule of a Standard load balancer towards a
 * backend no NSG applies to (closed: the rule forwards nothing from the Internet).
 */
import { nsgStages } from "../engine/nsg-chain.js";
import { type Diagnostic, warning } from "../model/diagnostic.js";
import { describeForwarding } from "../model/load-balancers.js";
import { AZURE_HOST_ADDRESS } from "../model/network.js";
import { displayAddress } from "../net/address.js";
import type { ReachAnalyzer } from "./reach.js";

export function loadBalancerFindings(analyzer: ReachAnalyzer): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const lb of analyzer.network.loadBalancers.values())
    for (const f of lb.forwardings)
      for (const backend of f.backends) {
        const at = { subnet: backend.subnet, nic: backend.nic };
        const where = `load balancer ${lb.name}: ${describeForwarding(f)}`;
        if (
          f.frontend.publicIp &&
          lb.sku === "Standard" &&
          backend.subnet?.nsg === undefined &&
          backend.nic?.nsg === undefined
        )
          out.push(
            warning(
              "LoadBalancerClosedWithoutNsg",
              `${where} forwards nothing from the Internet to ${backend.label}: a Standard load balancer is closed to inbound flows unless an NSG allows them, and no NSG applies to it`,
              f.path,
              "put an NSG that allows the rule's traffic on the backend's subnet or network interface",
            ),
          );
        const probe = f.probe;
        if (!probe) continue;
        const packet = {
          protocol: "Tcp" as const,
          source: { family: 4 as const, value: AZURE_HOST_ADDRESS.first },
          sourcePort: 49152,
          destination: backend.address,
          destinationPort: probe.port,
        };
        // The first NSG on the backend's path that denies the probe, if any.
        for (const stage of nsgStages("Inbound", at, backend.vnet, packet)) {
          const decisions = analyzer.nsgDecisions(stage.nsg, backend.vnet, "Inbound");
          if (decisions.allowed.has(packet)) continue;
          out.push(
            warning(
              "LoadBalancerProbeDenied",
              `${where}: health probe ${probe.name} (${probe.protocol} 168.63.129.16 -> ${displayAddress(backend.address)}:${probe.port}) is denied by NSG ${stage.nsg} (${stage.appliedTo.type} ${stage.appliedTo.name}): the load balancer marks ${backend.label} down and sends it nothing`,
              f.path,
              "allow the AzureLoadBalancer service tag to the probe's port, above the rule that denies it",
            ),
          );
          break;
        }
      }
  return out;
}
