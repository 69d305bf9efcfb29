/**
 * What an export does not write of the way out to the Internet: NAT gateways
 * (ARM and Bicep with scope all write them), subnets' natGateway and
 * defaultOutboundAccess (ARM and Bicep write them on every subnet they
 * deploy), named as not exported so that they never vanish in silence.
 */
import { type Diagnostic, info } from "../../model/diagnostic.js";
import { refName, type Topology } from "../../model/types.js";

/**
 * `writesSubnetOutbound`: the format writes a subnet's natGateway and
 * defaultOutboundAccess where it writes the subnet. `writesNatGateways`: it
 * writes the NAT gateways too.
 */
export function outboundNotes(
  topology: Topology,
  writesSubnetOutbound: boolean,
  writesNatGateways: boolean,
): Diagnostic[] {
  const notes: Diagnostic[] = [];
  const nats = topology.natGateways ?? [];
  if (nats.length > 0 && !writesNatGateways)
    notes.push(
      info(
        "NotExported",
        `NAT gateways (${nats.map((n) => n.name).join(", ")}) are not exported; ${writesSubnetOutbound ? "the subnets name them, so they must exist when deploying" : "create them when deploying, or the subnets leave for the Internet another way"}`,
        ["natGateways"],
      ),
    );
  if (writesSubnetOutbound) return notes;
  topology.virtualNetworks.forEach((vnet, v) => {
    vnet.subnets.forEach((subnet, s) => {
      if (subnet.natGateway !== undefined)
        notes.push(
          info(
            "NotExported",
            `subnet ${vnet.name}/${subnet.name}: its NAT gateway ${refName(subnet.natGateway)} is not written; associate it when deploying`,
            ["virtualNetworks", v, "subnets", s, "natGateway"],
          ),
        );
      if (subnet.defaultOutboundAccess !== undefined)
        notes.push(
          info(
            "NotExported",
            `subnet ${vnet.name}/${subnet.name}: defaultOutboundAccess ${subnet.defaultOutboundAccess} is not written; Azure takes it only when the subnet is created`,
            ["virtualNetworks", v, "subnets", s, "defaultOutboundAccess"],
          ),
        );
    });
  });
  return notes;
}
