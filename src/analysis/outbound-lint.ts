/**
 * Findings about the way out to the Internet (engine/outbound.ts): a subnet
 * with defaultOutboundAccess false, or a Flexible scale set, whose hosts have
 * no way out at all (a note: it may be meant so), and a NAT gateway on a subnet that holds Basic public
 * IPs or a Basic load balancer's backends (Azure refuses it: an error).
 */
import { egressOf } from "../engine/outbound.js";
import { selectRoute } from "../engine/route-selection.js";
import { type Diagnostic, error, info, type ValuePath } from "../model/diagnostic.js";
import type { IpConfigurationInfo, Network, SubnetInfo } from "../model/network.js";
import type { IpAddress } from "../net/address.js";

/** An Internet address (TEST-NET-1) to ask a subnet's routes where the Internet is. */
const INTERNET: IpAddress = { family: 4, value: 0xc0000201n };

export function outboundFindings(network: Network): Diagnostic[] {
  const out: Diagnostic[] = [];
  [...network.vnets.values()].forEach((vnet, i) => {
    vnet.subnets.forEach((subnet, j) => {
      const path: ValuePath = ["virtualNetworks", i, "subnets", j];
      const configs = configsIn(network, subnet);
      if (subnet.natGateway !== undefined) {
        const basic = basicUsers(network, subnet, configs);
        if (basic.length > 0)
          out.push(
            error(
              "NatGatewayWithBasicResources",
              `subnet ${subnet.id} names NAT gateway ${subnet.natGateway}, and holds Basic resources (${basic.join(", ")}): Azure does not put a NAT gateway on a subnet with Basic public IPs or Basic load balancers`,
              [...path, "natGateway"],
              "upgrade the public IPs and load balancers to Standard, or leave the NAT gateway off this subnet",
            ),
          );
      }
      if (subnet.natGateway !== undefined) return;
      const hop = selectRoute(network, subnet, INTERNET);
      if (hop?.nextHopType === "VirtualAppliance" || hop?.nextHopType === "VirtualNetworkGateway")
        return;
      const egress = (c: ConfigIn) =>
        egressOf(
          network,
          {
            subnet,
            config: c.config,
            ...(c.flexible === undefined ? {} : { flexibleScaleSet: c.flexible }),
          },
          hop,
        ).via;
      // Flexible scale sets have no default outbound access, whatever the subnet says.
      for (const c of configs)
        if (
          c.flexible !== undefined &&
          subnet.defaultOutboundAccess !== false &&
          egress(c) === "None"
        )
          out.push(
            info(
              "NoInternetEgress",
              `${c.label} in subnet ${subnet.id}: instances of a Flexible scale set have no default outbound access, and it has no NAT gateway, public IP or load balancer outbound rule: its instances reach nothing on the Internet, whatever the NSGs allow`,
              path,
              "if they are to reach the Internet, give the subnet a NAT gateway; if not, this is as meant",
            ),
          );
      if (subnet.defaultOutboundAccess !== false) return;
      const stranded = configs.filter((c) => egress(c) === "None");
      const envs = [...network.environments.values()].filter(
        (e) => e.subnet.id === subnet.id && !e.nic && e.outboundAddress === undefined,
      );
      const names = [...stranded.map((c) => c.label), ...envs.map((e) => `environment ${e.name}`)];
      if (names.length === 0) return;
      out.push(
        info(
          "NoInternetEgress",
          `subnet ${subnet.id} sets defaultOutboundAccess false and has no NAT gateway, and ${names.join(", ")} ${names.length === 1 ? "has" : "have"} no public IP or load balancer outbound rule: ${names.length === 1 ? "it reaches" : "they reach"} nothing on the Internet, whatever the NSGs allow`,
          [...path, "defaultOutboundAccess"],
          "if they are to reach the Internet, give the subnet a NAT gateway; if not, this is as meant",
        ),
      );
    });
  });
  return out;
}

interface ConfigIn {
  readonly config: IpConfigurationInfo;
  readonly label: string;
  /** The Flexible scale set the interface stands for the instances of. */
  readonly flexible?: string;
}

function configsIn(network: Network, subnet: SubnetInfo): ConfigIn[] {
  const out: ConfigIn[] = [];
  for (const nic of network.nics.values())
    for (const config of nic.ipConfigurations)
      if (config.subnet.id === subnet.id)
        out.push({
          config,
          label:
            nic.scaleSet === undefined
              ? `network interface ${nic.name}`
              : `scale set ${nic.scaleSet}`,
          ...(nic.flexibleScaleSet && nic.scaleSet !== undefined ? { flexible: nic.scaleSet } : {}),
        });
  return out;
}

/** The Basic public IPs and Basic load balancers whose backends are in the subnet. */
function basicUsers(network: Network, subnet: SubnetInfo, configs: readonly ConfigIn[]): string[] {
  const out = new Set<string>();
  for (const { config, label } of configs)
    if (config.publicIp?.sku === "Basic")
      out.add(`Basic public IP ${config.publicIp.name} on ${label}`);
  for (const env of network.environments.values())
    if (env.subnet.id === subnet.id && env.publicIp?.sku === "Basic")
      out.add(`Basic public IP ${env.publicIp.name} of environment ${env.name}`);
  for (const lb of network.loadBalancers.values()) {
    if (lb.sku !== "Basic") continue;
    for (const backends of lb.pools.values())
      if (backends.some((b) => b.subnet?.id === subnet.id))
        out.add(`backends of Basic load balancer ${lb.name}`);
  }
  return [...out];
}
