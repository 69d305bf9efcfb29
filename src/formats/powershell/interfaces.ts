/**
 * The Az cmdlets of network interfaces and public IP addresses:
 * `New-AzNetworkInterface` (one IP configuration from -Subnet, or several
 * from `New-AzNetworkInterfaceIpConfig`), with its NSG, public IP and ASGs,
 * a private address that is Dynamic unless -PrivateIpAddress gives one, and
 * `New-AzPublicIpAddress` with its SKU, allocation method and version.
 *
 * `-Sku` left out: the cmdlet made Basic public IPs, and Azure now makes
 * Standard ones; a script does not say which module version runs it, so a
 * public IP without a SKU is read as Basic, open to inbound traffic where no
 * NSG applies (the reading that hides no exposure), and named
 * (PublicIPSkuNotKnown). A Dynamic one can only be Basic.
 */
import { info, warning } from "../../model/diagnostic.js";
import {
  ALLOCATION_METHODS,
  type AllocationMethod,
  IP_VERSIONS,
  type IpConfiguration,
  type NetworkInterface,
  PUBLIC_IP_SKUS,
  type PublicIPAddress,
  type ResourceRef,
} from "../../model/types.js";
import { reporting } from "../shared/left-out.js";
import { Origins } from "../shared/origins.js";
import { ipForwardingMessage, NOT_MODELLED_CODE } from "../shared/unmodelled.js";
import type { Handler, Held, Params, Script } from "./script.js";
import type { Command } from "./syntax.js";
import type { Pos } from "./tokens.js";

/** What interfaces need of the network cmdlets: subnets and NSGs by what the script holds. */
export interface NetworkLookups {
  /** The subnet a held value stands for, as a model reference; undefined when not known (reported). */
  subnetRef(command: Command, param: string, held: Held): ResourceRef | undefined;
  /** The NSG a held value stands for; undefined when not one (reported). */
  nsgRef(command: Command, param: string, held: Held): ResourceRef | undefined;
}

const lower = (s: string) => s.toLowerCase();
const idOrName = (text: string): ResourceRef => (text.startsWith("/") ? { id: text } : text);
const lastSegment = (ref: ResourceRef) =>
  typeof ref === "string" ? ref : (ref.id.split("/").filter(Boolean).pop() ?? ref.id);

/** The parameters of an IP configuration, on New-AzNetworkInterface and New-AzNetworkInterfaceIpConfig alike. */
const CONFIG_PARAMS = [
  "Subnet",
  "SubnetId",
  "PrivateIpAddress",
  "PrivateIpAddressVersion",
  "PublicIpAddress",
  "PublicIpAddressId",
  "ApplicationSecurityGroup",
  "ApplicationSecurityGroupId",
  "LoadBalancerBackendAddressPool",
  "LoadBalancerBackendAddressPoolId",
  "LoadBalancerInboundNatRule",
  "LoadBalancerInboundNatRuleId",
];

/** A pool or NAT rule an IP configuration joins, as a model reference; undefined when not known (reported). */
export type LoadBalancerMembers = (
  command: Command,
  param: string,
  held: Held,
  config: string,
) => ResourceRef | undefined;

export class InterfaceCmdlets {
  private readonly nics = new Map<string, NetworkInterface>();
  private readonly pips = new Map<string, PublicIPAddress>();
  /** Public IPs named (by an interface, or Get-AzPublicIpAddress) and where first. */
  private readonly pipRefs = new Map<string, { name: string; pos: Pos }>();
  /**
   * NSGs set on interface objects (`$nic.NetworkSecurityGroup = $nsg`, null
   * to remove it), by lower-cased interface name: Azure gets them only when
   * Set-AzNetworkInterface saves the object.
   */
  private readonly unsaved = new Map<string, { nic: string; nsg: ResourceRef | null; pos: Pos }>();

  constructor(
    private readonly script: Script,
    private readonly network: NetworkLookups,
    private readonly origins = new Origins(),
  ) {}

  private at(pos: Pos | undefined) {
    return pos && this.script.locationOf(pos);
  }

  handlers(): Record<string, Handler> {
    return {
      "New-AzPublicIpAddress": (c) => this.newPublicIp(c),
      "Get-AzPublicIpAddress": (c) => this.getNamed(c, "pip"),
      "New-AzNetworkInterfaceIpConfig": (c) => this.newIpConfig(c),
      "New-AzNetworkInterface": (c) => this.newNic(c),
      "Get-AzNetworkInterface": (c) => this.getNamed(c, "nic"),
      "Set-AzNetworkInterface": (c, input) => this.saveNic(c, input),
    };
  }

  /** `$nic.NetworkSecurityGroup = $nsg` (or `$null`): kept until Set-AzNetworkInterface saves it. */
  assignMember(held: Held, path: string, value: readonly Held[]): boolean {
    if (held.kind !== "nic" || !/^\.NetworkSecurityGroup$/i.test(path)) return false;
    const first = value[0];
    if (value.length !== 1 || first === undefined) return false;
    const nsg =
      first.kind === "unknownVar" && first.name.toLowerCase() === "null"
        ? null
        : this.network.nsgRef(
            {
              name: `$${held.name}.NetworkSecurityGroup`,
              pos: first.pos,
              args: [],
              positional: [],
            },
            "NetworkSecurityGroup",
            first,
          );
    if (nsg === undefined) return true;
    this.unsaved.set(lower(held.name), { nic: held.name, nsg, pos: first.pos });
    return true;
  }

  /** Set-AzNetworkInterface: the NSG set on the interface object reaches Azure. */
  private saveNic(command: Command, input: readonly Held[] | undefined): Held[] | undefined {
    const p = this.script.params(command, ["NetworkInterface"]);
    const given = p.all("NetworkInterface");
    const held = given.length > 0 ? given : [...(input ?? [])];
    for (const h of held) {
      if (h.kind === "unknownVar") {
        // An object the script does not make: whatever was set on it is not known.
        this.script.report(
          reporting(
            warning(
              "UnsupportedStatement",
              `${command.name} saves $${h.name}, which the script does not set; what it changes is not known, and is ignored`,
              [],
            ),
            {
              kind: "networkInterface",
              nsg: true,
              what: `what ${command.name} at line ${command.pos.line} saves`,
            },
          ),
          command.pos,
        );
        continue;
      }
      if (h.kind !== "nic") {
        this.script.badValue(command, "NetworkInterface", h, "a network interface object");
        continue;
      }
      const change = this.unsaved.get(lower(h.name));
      if (!change) continue;
      this.unsaved.delete(lower(h.name));
      const existing = this.nics.get(lower(h.name));
      const { networkSecurityGroup: _, ...rest } = existing ?? {
        name: change.nic,
        ipConfigurations: [],
      };
      const nic: NetworkInterface =
        change.nsg === null ? rest : { ...rest, networkSecurityGroup: change.nsg };
      if (existing) this.origins.carry(existing, nic);
      else {
        this.origins.record(nic, this.at(h.pos), { name: this.at(h.pos) });
        // An interface the script only fetches: it merges into another file's declaration (shared/imported.ts).
        this.origins.placeholder(nic);
      }
      this.origins.field(nic, "networkSecurityGroup", this.at(change.pos));
      this.nics.set(lower(h.name), nic);
    }
    return held;
  }

  /** The interfaces and public IPs made; a public IP named and never made is a placeholder. */
  resources(): { networkInterfaces: NetworkInterface[]; publicIPAddresses: PublicIPAddress[] } {
    for (const change of this.unsaved.values())
      this.script.report(
        info(
          "InterfaceChangeNotSaved",
          `the NSG set on network interface ${JSON.stringify(change.nic)} changes the object only, and no later Set-AzNetworkInterface saves it: Azure never gets it, so it is not imported`,
          [],
          "save the change: $nic | Set-AzNetworkInterface",
        ),
        change.pos,
      );
    for (const [key, { name, pos }] of this.pipRefs) {
      if (this.pips.has(key)) continue;
      const pip: PublicIPAddress = { name, sku: "Basic" };
      this.origins.record(pip, this.at(pos), { name: this.at(pos) });
      // It merges into the declaration of another file (shared/imported.ts), or is named there.
      this.origins.placeholder(pip);
      this.pips.set(key, pip);
    }
    return {
      networkInterfaces: [...this.nics.values()],
      publicIPAddresses: [...this.pips.values()],
    };
  }

  // --- public IP addresses ---------------------------------------------------

  private newPublicIp(command: Command): Held[] | undefined {
    const p = this.script.params(command, [
      "Name",
      "ResourceGroupName",
      "Location",
      "Sku",
      "Tier",
      "AllocationMethod",
      "IpAddressVersion",
      "DomainNameLabel",
      "DomainNameLabelScope",
      "IdleTimeoutInMinutes",
      "Zone",
      "Tag",
      "IpTag",
      "ReverseFqdn",
      "DdosProtectionMode",
      "DdosProtectionPlanId",
      "EdgeZone",
      "IpAddress",
      "PublicIpPrefix",
    ]);
    const name = p.required("Name");
    if (!name) return undefined;
    const option = <T extends string>(param: string, options: readonly T[]) => {
      const given = p.optionalText(param);
      if (!given) return undefined;
      const found = options.find((o) => lower(o) === lower(given.text));
      if (found === undefined)
        this.script.badValue(command, param, { kind: "text", ...given }, options.join(" or "));
      return found;
    };
    const sku = option("Sku", PUBLIC_IP_SKUS);
    const allocation: AllocationMethod | undefined = option("AllocationMethod", ALLOCATION_METHODS);
    const version = option("IpAddressVersion", IP_VERSIONS);
    const location = p.optionalText("Location");
    if (sku === undefined && allocation !== "Dynamic")
      this.script.report(
        info(
          "PublicIPSkuNotKnown",
          `${command.name}: public IP address ${JSON.stringify(name.text)} ${p.all("Sku").length > 0 ? "has a SKU that is not known" : "gives no -Sku (Basic in older Az modules, Standard in later ones)"}; it is read as Basic, open to inbound traffic where no NSG applies`,
          [],
          "give -Sku Standard or -Sku Basic",
        ),
        p.all("Sku")[0]?.pos ?? command.pos,
      );
    const pip: PublicIPAddress = {
      name: name.text,
      ...(location ? { location: location.text } : {}),
      sku: sku ?? "Basic",
      ...(allocation === undefined ? {} : { publicIPAllocationMethod: allocation }),
      ...(version === undefined ? {} : { publicIPAddressVersion: version }),
    };
    this.origins.record(pip, this.at(command.pos), {
      name: this.at(name.pos),
      sku: this.at(p.all("Sku")[0]?.pos),
      publicIPAllocationMethod: this.at(p.all("AllocationMethod")[0]?.pos),
      publicIPAddressVersion: this.at(p.all("IpAddressVersion")[0]?.pos),
    });
    this.pips.set(lower(name.text), pip);
    return [{ kind: "pip", name: name.text, pos: command.pos }];
  }

  /** Get-AzPublicIpAddress, Get-AzNetworkInterface: the resource by name. */
  private getNamed(command: Command, kind: "pip" | "nic"): Held[] | undefined {
    const p = this.script.params(command, ["Name", "ResourceGroupName"]);
    const name = p.required("Name");
    if (!name) return undefined;
    if (kind === "pip") this.notePip(name.text, name.pos);
    return [{ kind, name: name.text, pos: name.pos }];
  }

  /** The public IP the script makes under that name, if any. */
  publicIp(name: string): PublicIPAddress | undefined {
    return this.pips.get(lower(name));
  }

  /** What joins an IP configuration to a load balancer's pools and NAT rules (load-balancers.ts). */
  loadBalancerMembers: LoadBalancerMembers | undefined;

  notePip(name: string, pos: Pos): void {
    if (!this.pipRefs.has(lower(name))) this.pipRefs.set(lower(name), { name, pos });
  }

  // --- IP configurations and interfaces --------------------------------------

  private newIpConfig(command: Command): Held[] | undefined {
    const p = this.script.params(command, ["Name", "Primary", ...CONFIG_PARAMS]);
    const name = p.required("Name");
    if (!name) return undefined;
    const config = this.ipConfig(command, p, name.text);
    return config ? [{ kind: "ipConfig", config, pos: command.pos }] : undefined;
  }

  /**
   * An IP configuration from the parameters: its subnet (required), a static
   * address or Dynamic, its public IP and ASGs. Undefined when its subnet is
   * not known (reported).
   */
  private ipConfig(command: Command, p: Params, name: string): IpConfiguration | undefined {
    const subnetHeld = [...p.all("Subnet"), ...p.all("SubnetId")];
    const first = subnetHeld[0];
    if (!first) {
      this.script.report(
        warning(
          "MissingParameter",
          `${command.name}: no -Subnet or -SubnetId; the IP configuration ${JSON.stringify(name)} cannot be placed`,
          [],
        ),
        command.pos,
      );
      return undefined;
    }
    const subnet = this.network.subnetRef(
      command,
      p.all("Subnet").length > 0 ? "Subnet" : "SubnetId",
      first,
    );
    if (subnet === undefined) return undefined;
    const address = p.optionalText("PrivateIpAddress");
    const version = p.optionalText("PrivateIpAddressVersion");
    const publicIp = this.publicIpRef(command, p);
    // An object or, with -ApplicationSecurityGroupId, an id (`$asg.Id` stands for the object).
    const asgs = ["ApplicationSecurityGroup", "ApplicationSecurityGroupId"].flatMap((param) =>
      p.all(param).flatMap((held): ResourceRef[] => {
        if (held.kind === "asg") return [held.name];
        if (held.kind === "text" && param.endsWith("Id")) return [idOrName(held.text)];
        this.script.badValue(command, param, held, "an application security group");
        return [];
      }),
    );
    // Pools and NAT rules: objects given to New-AzLoadBalancer before, or ids.
    const members = (params: readonly string[]) =>
      params.flatMap((param) =>
        p.all(param).flatMap((held): ResourceRef[] => {
          const ref = this.loadBalancerMembers?.(command, param, held, name);
          return ref === undefined ? [] : [ref];
        }),
      );
    const pools = members(["LoadBalancerBackendAddressPool", "LoadBalancerBackendAddressPoolId"]);
    const natRules = members(["LoadBalancerInboundNatRule", "LoadBalancerInboundNatRuleId"]);
    const config: IpConfiguration = {
      name,
      ...(address
        ? { privateIPAddress: address.text }
        : {
            privateIPAllocationMethod: "Dynamic",
            ...(version && lower(version.text) === "ipv6"
              ? { privateIPAddressVersion: "IPv6" as const }
              : {}),
          }),
      ...(publicIp === undefined ? {} : { publicIPAddress: publicIp }),
      subnet,
      ...(asgs.length > 0 ? { applicationSecurityGroups: asgs } : {}),
      ...(pools.length > 0 ? { loadBalancerBackendAddressPools: pools } : {}),
      ...(natRules.length > 0 ? { loadBalancerInboundNatRules: natRules } : {}),
    };
    this.origins.record(config, this.at(command.pos), {
      privateIPAddress: this.at(address?.pos),
      subnet: this.at(first.pos),
      publicIPAddress: this.at((p.all("PublicIpAddress")[0] ?? p.all("PublicIpAddressId")[0])?.pos),
      applicationSecurityGroups: this.at(
        (p.all("ApplicationSecurityGroup")[0] ?? p.all("ApplicationSecurityGroupId")[0])?.pos,
      ),
    });
    return config;
  }

  /**
   * -PublicIpAddress (an object) or -PublicIpAddressId (an id, or `$pip.Id`).
   * One a variable the script does not set holds stands as `<variable>`, a
   * public address not known: the interface keeps its public endpoint.
   */
  private publicIpRef(command: Command, p: Params): ResourceRef | undefined {
    for (const param of ["PublicIpAddress", "PublicIpAddressId"])
      for (const held of p.all(param)) {
        if (held.kind === "pip") {
          this.notePip(held.name, held.pos);
          return held.name;
        }
        if (held.kind === "text" && param === "PublicIpAddressId") {
          const ref = idOrName(held.text);
          this.notePip(lastSegment(ref), held.pos);
          return ref;
        }
        if (held.kind === "unknownVar") {
          const name = `<${held.name}>`;
          this.script.report(
            warning(
              "PublicIPAddressNameNotKnown",
              `${command.name}: -${param} is $${held.name}, which the script does not set; the public IP address stands as ${name}, a public address not known`,
              [],
            ),
            held.pos,
          );
          this.notePip(name, held.pos);
          return name;
        }
        this.script.badValue(
          command,
          param,
          held,
          "a public IP address from New- or Get-AzPublicIpAddress",
        );
      }
    return undefined;
  }

  private newNic(command: Command): Held[] | undefined {
    const p = this.script.params(command, [
      "Name",
      "ResourceGroupName",
      "Location",
      "IpConfiguration",
      "IpConfigurationName",
      "NetworkSecurityGroup",
      "NetworkSecurityGroupId",
      "EnableIPForwarding",
      "EnableAcceleratedNetworking",
      "DnsServer",
      "InternalDnsNameLabel",
      "Tag",
      "EdgeZone",
      "AuxiliaryMode",
      "AuxiliarySku",
      ...CONFIG_PARAMS,
    ]);
    const name = p.required("Name");
    const nsgHeld = [...p.all("NetworkSecurityGroup"), ...p.all("NetworkSecurityGroupId")];
    const forwarding = command.args.find((a) => lower(a.name) === "enableipforwarding");
    if (forwarding)
      this.script.report(
        warning(NOT_MODELLED_CODE, ipForwardingMessage(name?.text), []),
        forwarding.pos,
      );
    if (!name) return undefined;
    const configs: IpConfiguration[] = [];
    const given = p.all("IpConfiguration");
    for (const held of given)
      if (held.kind === "ipConfig") configs.push(held.config);
      else
        this.script.badValue(
          command,
          "IpConfiguration",
          held,
          "an IP configuration from New-AzNetworkInterfaceIpConfig",
        );
    if (given.length === 0) {
      const configName = p.optionalText("IpConfigurationName")?.text ?? "ipconfig1";
      const config = this.ipConfig(command, p, configName);
      if (config) configs.push(config);
    }
    const firstNsg = nsgHeld[0];
    const nsg =
      firstNsg &&
      this.network.nsgRef(
        command,
        p.all("NetworkSecurityGroup").length > 0
          ? "NetworkSecurityGroup"
          : "NetworkSecurityGroupId",
        firstNsg,
      );
    if (configs.length === 0) {
      // Azure requires an IP configuration: without a known one the interface cannot be placed.
      this.script.report(
        reporting(
          warning(
            "IncompleteNetworkInterface",
            `${command.name}: network interface ${JSON.stringify(name.text)} has no IP configuration whose subnet is known; it is left out${firstNsg ? ", with its network security group" : ""}`,
            [],
          ),
          {
            kind: "networkInterface",
            nsg: firstNsg !== undefined,
            what: `network interface ${JSON.stringify(name.text)}`,
          },
        ),
        command.pos,
      );
      return undefined;
    }
    const nic: NetworkInterface = {
      name: name.text,
      ...(nsg === undefined ? {} : { networkSecurityGroup: nsg }),
      ipConfigurations: configs,
    };
    this.origins.record(nic, this.at(command.pos), {
      name: this.at(name.pos),
      networkSecurityGroup: this.at(firstNsg?.pos),
    });
    this.nics.set(lower(name.text), nic);
    return [{ kind: "nic", name: name.text, pos: command.pos }];
  }
}
