/**
 * A subnet's NAT gateway that no imported file declares (an existing gateway
 * a template names by id, `az network vnet list` output without the gateway's
 * own): the subnet still leaves for the Internet through a NAT gateway, whose
 * public addresses are not known. It stands as a placeholder gateway with one
 * placeholder Standard public IP (`NAME.publicIp`, its address shown as
 * `<NAME.publicIp>`), and is named, so that no subnet is read as leaving another way.
 */
import { type Diagnostic, warning } from "../../model/diagnostic.js";
import { referenced } from "../../model/resource-id.js";
import type { NatGateway, PublicIPAddress, Topology } from "../../model/types.js";
import type { Origins } from "./origins.js";

export function settleNatGatewayReferences(
  topology: Topology,
  origins: Origins,
): { topology: Topology; diagnostics: Diagnostic[] } {
  const declared = new Set((topology.natGateways ?? []).map((n) => n.name.toLowerCase()));
  const diagnostics: Diagnostic[] = [];
  const added: NatGateway[] = [];
  const pips: PublicIPAddress[] = [];
  topology.virtualNetworks.forEach((vnet, v) => {
    vnet.subnets.forEach((subnet, s) => {
      if (subnet.natGateway === undefined) return;
      const found = referenced(subnet.natGateway, "natGateways");
      // A reference of the wrong type is the model's to report.
      if (found.problem !== undefined || declared.has(found.name.toLowerCase())) return;
      declared.add(found.name.toLowerCase());
      const pip: PublicIPAddress = { name: `${found.name}.publicIp`, sku: "Standard" };
      const nat: NatGateway = {
        name: found.name,
        sku: "Standard",
        publicIpAddresses: [pip.name],
      };
      const location = origins.locate(subnet, ["natGateway"]);
      for (const made of [nat, pip]) {
        origins.record(made, location, { name: location });
        origins.placeholder(made);
      }
      added.push(nat);
      pips.push(pip);
      diagnostics.push({
        ...warning(
          "NatGatewayNotDeclared",
          `subnet ${vnet.name}/${subnet.name}: NAT gateway ${found.name} is declared by no imported file; it stands as a NAT gateway whose public address is not known (public IP ${pip.name}, shown as <${pip.name}>)`,
          ["virtualNetworks", v, "subnets", s, "natGateway"],
          "import what declares the NAT gateway too (its template, or az network nat gateway list output)",
        ),
        ...(location ? { location } : {}),
      });
    });
  });
  if (added.length === 0) return { topology, diagnostics };
  return {
    topology: {
      ...topology,
      natGateways: [...(topology.natGateways ?? []), ...added],
      publicIPAddresses: [...(topology.publicIPAddresses ?? []), ...pips],
    },
    diagnostics,
  };
}
