import type { GatewayFrontendInfo } from "../model/application-gateways.js";
import type { FrontendInfo } from "../model/load-balancers.js";
import {
  AZURE_HOST_ADDRESS,
  type IpConfigurationInfo,
  type Network,
  type NicInfo,
  type PublicIpInfo,
  type SubnetInfo,
} from "../model/network.js";
import type { BastionInfo, PrivateEndpointInfo } from "../model/private-endpoints.js";
import { isBuiltInTag } from "../model/service-tags.js";
import { firstFreeHost } from "../model/subnet-hosts.js";
import {
  displayAddress,
  formatIpAddress,
  type IpAddress,
  parseIpAddress,
  sameAddress,
} from "../net/address.js";
import { AddressSet } from "../net/address-set.js";
import {
  type GatewayEndpoint,
  gatewayAt,
  gatewayByName,
  gatewayOnPublicIp,
} from "./gateway-endpoint.js";
import { natGatewayOfPublicIp, presentedAddress } from "./outbound.js";

/**
 * A host a flow starts or ends at, in the terms routing needs: where it sits
 * (virtual network, subnet, NIC), its private address, the public address it is
 * reached at and the one it presents when it calls out of its network.
 */
export interface Host {
  readonly label: string;
  readonly address: IpAddress;
  readonly vnet?: string;
  readonly subnet?: SubnetInfo;
  readonly nic?: NicInfo;
  readonly publicAddress?: IpAddress;
  /** The public IP resource `publicAddress` belongs to: its SKU decides what gets in without an NSG. */
  readonly publicIp?: PublicIpInfo;
  readonly outboundAddress?: IpAddress;
  /** External: every caller reaches it on its public address (an external ASE). */
  readonly ingress: "External" | "Internal";
  /** The platform itself (168.63.129.16) reaches private addresses directly. */
  readonly platform?: boolean;
  /** The host stands for a set (a subnet, a tag): this is the address picked to represent it. */
  readonly representative?: boolean;
  /** A load balancer's frontend: flows to it are forwarded to backends (load-balanced-flow.ts). */
  readonly frontend?: FrontendInfo;
  /** An application gateway's frontend: flows to it are proxied to backends (application-gateway-flow.ts). */
  readonly gatewayFrontend?: GatewayFrontendInfo;
  /** The environment it is, by name (its outbound address is the spec's: outbound.ts). */
  readonly environment?: string;
  /** A NAT gateway's public IP, by the gateway's name: it takes no inbound connection. */
  readonly natGateway?: string;
  /** A private endpoint: its subnet's NSG and routes apply as its subnet's policies say (flow.ts, route.ts). */
  readonly privateEndpoint?: PrivateEndpointInfo;
  /** An Azure Bastion host: reached on its public IP, it calls VMs from its subnet's private addresses. */
  readonly bastion?: BastionInfo;
}

export type EndpointResolution =
  | { ok: true; host: Host }
  | { ok: false; message: string; hint?: string };

const KIND_PREFIXES = [
  "env",
  "nic",
  "subnet",
  "lb",
  "agw",
  "pe",
  "bastion",
  "pip",
  "tag",
  "ip",
] as const;
type EndpointKind = (typeof KIND_PREFIXES)[number];

/**
 * Resolves a flow endpoint: an environment, network interface or subnet name, a
 * public IP address by name, a service tag, or an address (the known address
 * of a public IP stands for what it is associated with). `env:`, `nic:`,
 * `subnet:`, `pip:`, `tag:` or `ip:` forces the kind. `family` is the address
 * family to prefer where the endpoint stands for a set.
 */
export function resolveEndpoint(
  network: Network,
  text: string,
  family: 4 | 6 = 4,
): EndpointResolution {
  const colon = text.indexOf(":");
  const forced = colon > 0 ? (text.slice(0, colon) as EndpointKind) : undefined;
  if (forced && (KIND_PREFIXES as readonly string[]).includes(forced)) {
    return resolveAs(network, forced, text.slice(colon + 1), family) ?? notFound(text);
  }
  for (const kind of KIND_PREFIXES) {
    const host = resolveAs(network, kind, text, family);
    if (host) return host;
  }
  return notFound(text);
}

function notFound(text: string): EndpointResolution {
  return {
    ok: false,
    message: `${JSON.stringify(text)} is not an environment, network interface, subnet, load balancer, application gateway, private endpoint, Bastion host, public IP address, service tag or IP address`,
    hint: "write env:NAME, nic:NAME, vmss:NAME (a scale set), subnet:VNET/NAME, lb:NAME[/FRONTEND], agw:NAME[/FRONTEND], pe:NAME, bastion:NAME, pip:NAME, tag:NAME or an address to say which is meant",
  };
}

function resolveAs(
  network: Network,
  kind: EndpointKind,
  name: string,
  family: 4 | 6,
): EndpointResolution | undefined {
  switch (kind) {
    case "env": {
      const env = network.environments.get(name);
      if (!env) return undefined;
      return {
        ok: true,
        host: {
          label: `environment ${env.name}`,
          address: env.privateAddress,
          vnet: env.subnet.vnet,
          subnet: env.subnet,
          ...(env.nic ? { nic: env.nic } : {}),
          ...(env.publicAddress ? { publicAddress: env.publicAddress } : {}),
          ...(env.publicIp ? { publicIp: env.publicIp } : {}),
          ...outboundOf(env.outboundAddress ?? presentedAddress(network, { subnet: env.subnet })),
          ingress: env.ingress,
          environment: env.name,
        },
      };
    }
    case "nic": {
      const nic = network.nics.get(name);
      const primary = nic?.ipConfigurations[0];
      if (!nic || !primary) return undefined;
      return {
        ok: true,
        host: {
          ...configHost(network, nic, primary),
          label:
            nic.scaleSet === undefined
              ? `network interface ${nic.name}`
              : `scale set ${nic.scaleSet} (${nic.name})`,
        },
      };
    }
    case "lb":
      return loadBalancerHost(network, name);
    case "agw": {
      const r = gatewayByName(network, name);
      return r && (r.ok ? { ok: true, host: gatewayFrontendHost(r.endpoint) } : r);
    }
    case "pe": {
      const pe = findNamed(network.privateEndpoints, name);
      return pe && { ok: true, host: privateEndpointHost(pe) };
    }
    case "bastion": {
      const bastion = findNamed(network.bastionHosts, name);
      return bastion && { ok: true, host: bastionHost(bastion) };
    }
    case "pip":
      return publicIpHost(network, name);
    case "subnet": {
      const [vnet, subnetName] = name.includes("/") ? name.split("/", 2) : [undefined, name];
      const matches = network.subnets.filter(
        (s) => s.name === subnetName && (vnet === undefined || s.vnet === vnet),
      );
      if (matches.length > 1)
        return {
          ok: false,
          message: `subnet ${name} exists in several virtual networks (${matches.map((m) => m.vnet).join(", ")})`,
          hint: "write it as VNET/SUBNET",
        };
      const subnet = matches[0];
      if (!subnet) return undefined;
      const address = freeHostAddress(network, subnet, family);
      if (!address)
        return { ok: false, message: `subnet ${subnet.id} has no free address to stand for it` };
      return {
        ok: true,
        host: {
          label: `subnet ${subnet.id}`,
          address,
          vnet: subnet.vnet,
          subnet,
          ingress: "Internal",
          representative: true,
        },
      };
    }
    case "tag":
      return resolveTag(network, name, family);
    case "ip": {
      const address = parseIpAddress(name);
      if (!address) return undefined;
      const pip = [...network.publicIps.values()].find(
        (p) => p.known && sameAddress(p.address, address),
      );
      if (pip) return publicIpHost(network, pip.name);
      const gateway = gatewayAt(network, address);
      if (gateway) return { ok: true, host: gatewayFrontendHost(gateway) };
      const frontend = frontendAt(network, address);
      return frontend
        ? { ok: true, host: frontendHost(network, frontend) }
        : { ok: true, host: hostAt(network, address) };
    }
  }
}

function findNamed<T>(map: ReadonlyMap<string, T>, name: string): T | undefined {
  const exact = map.get(name);
  if (exact) return exact;
  for (const [key, value] of map) if (key.toLowerCase() === name.toLowerCase()) return value;
  return undefined;
}

/** What a private endpoint reaches, for its label. */
function targetsOf(pe: PrivateEndpointInfo): string {
  return pe.targets.length > 0 ? ` to ${pe.targets.join(", ")}` : "";
}

/** A private endpoint: reached on its private address only; it has no NSG of its own. */
export function privateEndpointHost(pe: PrivateEndpointInfo): Host {
  return {
    label: `private endpoint ${pe.name} (${displayAddress(pe.address)}${targetsOf(pe)})`,
    address: pe.address,
    vnet: pe.subnet.vnet,
    subnet: pe.subnet,
    ingress: "Internal",
    privateEndpoint: pe,
  };
}

/**
 * A Bastion host: the address its sessions to VMs come from (some host of its
 * AzureBastionSubnet), and its public IP, where users reach it. The public IP
 * is the service's own: it is not closed to inbound traffic as a Standard
 * public IP on a VM is, so the host carries its address but not the resource.
 */
export function bastionHost(bastion: BastionInfo): Host {
  const on = bastion.publicIp ? `, public IP ${bastion.publicIp.name}` : "";
  return {
    label: `Bastion host ${bastion.name} (${displayAddress(bastion.address)} in ${bastion.subnet.id}${on})`,
    address: bastion.address,
    vnet: bastion.subnet.vnet,
    subnet: bastion.subnet,
    ...(bastion.publicAddress ? { publicAddress: bastion.publicAddress } : {}),
    ingress: bastion.publicAddress ? "External" : "Internal",
    bastion,
  };
}

/** A NIC's IP configuration as a host, with the public address and IP it has. */
function configHost(network: Network, nic: NicInfo, config: IpConfigurationInfo): Host {
  // The address it calls out from: a NAT gateway's before its own public IP (outbound.ts).
  const outbound = presentedAddress(network, { subnet: config.subnet, config });
  return {
    label: `${displayAddress(config.address)} (${config.dynamic ? "Dynamic, " : ""}network interface ${nic.name})`,
    address: config.address,
    vnet: nic.vnet,
    subnet: config.subnet,
    nic,
    ...(config.publicAddress ? { publicAddress: config.publicAddress } : {}),
    ...outboundOf(outbound),
    ...(config.publicIp ? { publicIp: config.publicIp } : {}),
    ingress: "Internal",
  };
}

const outboundOf = (address: IpAddress | undefined) =>
  address ? { outboundAddress: address } : {};

/**
 * What a public IP is associated with, reached on it: every caller, even one in
 * the same network, comes across the Internet and is translated to the private
 * address (the route of an external App Service Environment).
 */
function publicIpHost(network: Network, name: string): EndpointResolution | undefined {
  const pip = [...network.publicIps.values()].find(
    (p) => p.name.toLowerCase() === name.toLowerCase(),
  );
  if (!pip) return undefined;
  const frontend = [...network.loadBalancers.values()]
    .flatMap((lb) => lb.frontends)
    .find((f) => f.publicIp === pip);
  if (frontend) return { ok: true, host: frontendHost(network, frontend) };
  const gateway = gatewayOnPublicIp(network, pip.name);
  if (gateway) return { ok: true, host: gatewayFrontendHost(gateway) };
  const label = `public IP ${pip.name}`;
  const env = [...network.environments.values()].find((e) => e.publicIp === pip);
  let host: Host | undefined;
  if (env) {
    const r = resolveAs(network, "env", env.name, pip.address.family);
    if (r?.ok) host = { ...r.host, label: `${label} (environment ${env.name})` };
  } else
    for (const nic of network.nics.values())
      for (const config of nic.ipConfigurations)
        if (config.publicIp === pip)
          host = {
            ...configHost(network, nic, config),
            label: `${label} (network interface ${nic.name})`,
          };
  const nat = host ? undefined : natGatewayOfPublicIp(network, pip.name);
  if (nat)
    return {
      ok: true,
      host: {
        label: `${label} (NAT gateway ${nat})`,
        address: pip.address,
        ingress: "External",
        natGateway: nat,
      },
    };
  if (!host)
    return {
      ok: false,
      message: `${label} is associated with no network interface or environment, so nothing is reached on it`,
    };
  return {
    ok: true,
    host: {
      ...host,
      publicAddress: pip.address,
      publicIp: pip,
      outboundAddress: host.outboundAddress ?? pip.address,
      ingress: "External",
    },
  };
}

/** A load balancer's frontend by `LB/FRONTEND`, or `LB` when it has one frontend. */
function loadBalancerHost(network: Network, text: string): EndpointResolution | undefined {
  const slash = text.indexOf("/");
  const [lbName, name] =
    slash < 0 ? [text, undefined] : [text.slice(0, slash), text.slice(slash + 1)];
  const lb = [...network.loadBalancers.values()].find(
    (l) => l.name.toLowerCase() === lbName.toLowerCase(),
  );
  if (!lb) return undefined;
  const names = lb.frontends.map((f) => f.name).join(", ");
  if (name === undefined && lb.frontends.length !== 1)
    return {
      ok: false,
      message: `load balancer ${lb.name} has ${lb.frontends.length} frontends (${names})`,
      hint: `write lb:${lb.name}/FRONTEND`,
    };
  const frontend =
    name === undefined
      ? lb.frontends[0]
      : lb.frontends.find((f) => f.name.toLowerCase() === name.toLowerCase());
  if (!frontend)
    return {
      ok: false,
      message: `load balancer ${lb.name} has no frontend ${JSON.stringify(name)}`,
      hint: `its frontends: ${names}`,
    };
  return { ok: true, host: frontendHost(network, frontend) };
}

/** The frontend whose public or private address this is, if any. */
function frontendAt(network: Network, address: IpAddress): FrontendInfo | undefined {
  for (const lb of network.loadBalancers.values())
    for (const f of lb.frontends)
      if ((f.publicIp === undefined || f.publicIp.known) && sameAddress(f.address, address))
        return f;
  return undefined;
}

/** An application gateway's frontend as a flow's destination (the gateway's subnet is application-gateway-flow.ts's). */
function gatewayFrontendHost(endpoint: GatewayEndpoint): Host {
  const f = endpoint.frontend;
  return {
    label: endpoint.label,
    address: f.address,
    ...(f.subnet ? { vnet: f.subnet.vnet, subnet: f.subnet } : {}),
    ...(f.publicIp ? { publicAddress: f.address, publicIp: f.publicIp } : {}),
    ingress: f.publicIp ? "External" : "Internal",
    gatewayFrontend: f,
  };
}

/** A frontend as a flow's destination: reached on its public address, or inside its network. */
export function frontendHost(network: Network, frontend: FrontendInfo): Host {
  const on = frontend.publicIp
    ? `public IP ${frontend.publicIp.name}`
    : `private ${displayAddress(frontend.address)}`;
  const label = `load balancer ${frontend.loadBalancer} frontend ${frontend.name} (${on})`;
  const subnet = frontend.subnet;
  const vnet = subnet ? network.vnets.get(subnet.vnet)?.name : undefined;
  return {
    label,
    address: frontend.address,
    ...(vnet !== undefined && subnet ? { vnet, subnet } : {}),
    ...(frontend.publicIp ? { publicAddress: frontend.address, publicIp: frontend.publicIp } : {}),
    ingress: frontend.publicIp ? "External" : "Internal",
    frontend,
  };
}

/** The host that holds an address: a NIC or environment, a subnet, or the Internet. */
export function hostAt(network: Network, address: IpAddress): Host {
  for (const env of network.environments.values()) {
    if (sameAddress(env.privateAddress, address)) {
      const r = resolveAs(network, "env", env.name, address.family);
      if (r?.ok) return r.host;
    }
  }
  for (const nic of network.nics.values()) {
    for (const config of nic.ipConfigurations) {
      if (sameAddress(config.address, address)) return configHost(network, nic, config);
    }
  }
  for (const pe of network.privateEndpoints.values())
    if (sameAddress(pe.address, address)) return privateEndpointHost(pe);
  const subnet = network.subnets.find((s) => s.addresses.has(address));
  if (subnet)
    return {
      label: `${formatIpAddress(address)} (subnet ${subnet.id})`,
      address,
      vnet: subnet.vnet,
      subnet,
      ingress: "Internal",
    };
  const vnet = [...network.vnets.values()].find((v) => v.addressSpace.has(address));
  if (vnet)
    return {
      label: `${formatIpAddress(address)} (virtual network ${vnet.name})`,
      address,
      vnet: vnet.name,
      ingress: "Internal",
    };
  const platform = address.family === 4 && address.value === AZURE_HOST_ADDRESS.first;
  // An address of a network's on-premises spaces is reached through its gateway, not the Internet.
  const onPremises = [...network.vnets.values()].find((v) =>
    v.gatewayPrefixes.some(
      (p) => p.family === address.family && p.first <= address.value && address.value <= p.last,
    ),
  );
  const where = platform
    ? "Azure platform"
    : onPremises
      ? `on-premises, through the gateway of ${onPremises.name}`
      : "Internet";
  return {
    label: `${formatIpAddress(address)} (${where})`,
    address,
    publicAddress: address,
    outboundAddress: address,
    ingress: "Internal",
    ...(platform ? { platform } : {}),
  };
}

// Documentation addresses stand for "some host on the Internet" unless the
// deployment itself uses them.
const INTERNET_CANDIDATES: Record<4 | 6, string[]> = {
  4: ["192.0.2.1", "198.51.100.1", "203.0.113.1"],
  6: ["2001:db8::1", "2001:db8:ffff::1"],
};

function resolveTag(network: Network, tag: string, family: 4 | 6): EndpointResolution | undefined {
  if (tag === "VirtualNetwork")
    return {
      ok: false,
      message: "VirtualNetwork means different addresses in each virtual network",
      hint: "name a subnet, network interface or environment instead",
    };
  if (tag === "AzureLoadBalancer") {
    const address = { family: 4 as const, value: AZURE_HOST_ADDRESS.first };
    return {
      ok: true,
      host: {
        ...hostAt(network, address),
        label: "AzureLoadBalancer (168.63.129.16)",
        representative: true,
      },
    };
  }
  if (tag === "Internet") {
    const used = usedAddresses(network);
    for (const text of INTERNET_CANDIDATES[family]) {
      const address = parseIpAddress(text) as IpAddress;
      if (!used.has(address)) {
        const host = hostAt(network, address);
        if (host.vnet === undefined)
          return { ok: true, host: { ...host, label: `Internet (${text})`, representative: true } };
      }
    }
    const free = used.complement().intervals(family)[0];
    if (!free)
      return {
        ok: false,
        message: "no address is left outside the deployment to stand for the Internet",
      };
    const address = { family, value: free[0] };
    return {
      ok: true,
      host: {
        ...hostAt(network, address),
        label: `Internet (${formatIpAddress(address)})`,
        representative: true,
      },
    };
  }
  if (isBuiltInTag(tag)) return undefined;
  const prefixes = network.serviceTags.prefixes(tag);
  if (!prefixes) return undefined;
  const prefix = prefixes.find((p) => p.family === family) ?? prefixes[0];
  if (!prefix) return { ok: false, message: `service tag ${tag} has no addresses` };
  const address = { family: prefix.family, value: prefix.first };
  if (network.serviceTags.isSymbolic(tag)) return symbolicTagHost(network, tag, address);
  return {
    ok: true,
    host: {
      ...hostAt(network, address),
      label: `${tag} (${formatIpAddress(address)})`,
      representative: true,
    },
  };
}

/**
 * A tag without its file stands on its first symbolic address, shown by name:
 * as the spec's tags show it when the rules name the tag (`<Sql outside
 * AzureCloud>` where they name AzureCloud too), else as the tag.
 */
function symbolicTagHost(network: Network, tag: string, at: IpAddress): EndpointResolution {
  const named = network.addressNames.tags.some((t) => t.name === tag);
  const label = (named && network.addressNames.label(at)) || `<${tag}>`;
  const address = { ...at, label };
  return {
    ok: true,
    host: { ...hostAt(network, address), label: `${tag} (${label})`, representative: true },
  };
}

/** Every address the deployment assigns or occupies: networks, connected spaces, public addresses. */
function usedAddresses(network: Network): AddressSet {
  let used = AddressSet.empty;
  for (const vnet of network.vnets.values()) used = used.union(vnet.virtualNetworkTag);
  const publics: IpAddress[] = [...network.publicIps.values()].map((p) => p.address);
  for (const env of network.environments.values()) {
    if (env.publicAddress) publics.push(env.publicAddress);
    if (env.outboundAddress) publics.push(env.outboundAddress);
  }
  for (const nic of network.nics.values())
    for (const c of nic.ipConfigurations) if (c.publicAddress) publics.push(c.publicAddress);
  return used.union(AddressSet.ofAddresses(publics));
}

/** The first address of a subnet that Azure does not reserve and no NIC or environment holds. */
function freeHostAddress(
  network: Network,
  subnet: SubnetInfo,
  family: 4 | 6,
): IpAddress | undefined {
  const taken = new Set<string>();
  for (const nic of network.nics.values())
    for (const c of nic.ipConfigurations) taken.add(formatIpAddress(c.address));
  for (const env of network.environments.values()) taken.add(formatIpAddress(env.privateAddress));
  for (const lb of network.loadBalancers.values())
    for (const f of lb.frontends) if (f.subnet) taken.add(formatIpAddress(f.address));
  for (const pe of network.privateEndpoints.values()) taken.add(formatIpAddress(pe.address));
  for (const b of network.bastionHosts.values()) taken.add(formatIpAddress(b.address));
  const prefixes = [...subnet.prefixes].sort(
    (a, b) => (a.family === family ? -1 : 0) - (b.family === family ? -1 : 0),
  );
  return firstFreeHost(prefixes, taken);
}
