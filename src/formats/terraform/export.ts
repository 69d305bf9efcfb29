/**
 * The model as azurerm HCL: ASGs, NSGs with inline rules, and the resources
 * that associate NSGs and ASGs with subnets and network interfaces. With
 * scope `all`, also the virtual networks with their subnets as resources,
 * peerings, public IP addresses and network interfaces; with scope `nsgs`,
 * the subnets and interfaces are data sources, as they exist. Location and
 * resource group are variables unless the model names a location.
 */
import {
  type NetworkInterface,
  type PublicIPAddress,
  type ResourceRef,
  refName,
  type SecurityRule,
  type Topology,
} from "../../model/types.js";
import { parseIpAddress } from "../../net/address.js";
import { type ExportScope, hasSecurity } from "../shared/export-scope.js";
import { AZURERM, RULE_ATTRIBUTES } from "./azurerm-schema.js";
import {
  attr,
  blank,
  block,
  type HclItem,
  hclList,
  hclString,
  Labels,
  renderBody,
} from "./hcl-write.js";

const lower = (s: string) => s.toLowerCase();

/** The spellings azurerm's validation accepts (Azure itself reads them case-insensitively). */
const CANONICAL: ReadonlyMap<string, string> = new Map(
  ["Tcp", "Udp", "Icmp", "Esp", "Ah", "*", "Allow", "Deny", "Inbound", "Outbound"].map((v) => [
    lower(v),
    v,
  ]),
);
const canonical = (v: string) => CANONICAL.get(lower(v)) ?? v;

/**
 * Writes the topology as a Terraform configuration for the azurerm provider,
 * `terraform fmt` style: the whole deployment (scope `all`, the default
 * here), or the NSGs and their associations with what exists (`nsgs`).
 */
export function exportTerraform(topology: Topology, scope: ExportScope = "all"): string {
  const out: HclItem[] = [];
  const labels = new Map<string, Labels>();
  const labelFor = (type: string, name: string) => {
    let l = labels.get(type);
    if (!l) {
      l = new Labels();
      labels.set(type, l);
    }
    return l.take(name);
  };
  const resource = (type: string, label: string, body: HclItem[]) => {
    out.push(block("resource", [type, label], body), blank);
  };
  const data: HclItem[] = [];
  const placed = (location: string | undefined): HclItem[] => [
    attr("location", location === undefined ? "var.location" : hclString(location)),
    attr("resource_group_name", "var.resource_group_name"),
  ];

  const header: HclItem[] = [
    block(
      "terraform",
      [],
      [
        block(
          "required_providers",
          [],
          [attr("azurerm", `{\n      source = "hashicorp/azurerm"\n    }`)],
        ),
      ],
    ),
    blank,
    block("provider", ["azurerm"], [block("features", [], [])]),
    blank,
    block(
      "variable",
      ["location"],
      [
        attr("type", "string"),
        attr("description", hclString("The Azure region of the resources.")),
      ],
    ),
    blank,
    block(
      "variable",
      ["resource_group_name"],
      [
        attr("type", "string"),
        attr("description", hclString("The resource group that holds the resources.")),
      ],
    ),
    blank,
  ];

  // Resources referred to by name and declared elsewhere are looked up by data sources.
  const lookups = new Map<string, string>();
  const lookup = (type: string, name: string, parent?: string): string => {
    const key = `${type}/${parent === undefined ? "" : `${lower(parent)}/`}${lower(name)}`;
    let label = lookups.get(key);
    if (label === undefined) {
      label = labelFor(`data.${type}`, parent === undefined ? name : `${parent}_${name}`);
      lookups.set(key, label);
      data.push(
        block(
          "data",
          [type, label],
          [
            attr("name", hclString(name)),
            ...(parent === undefined ? [] : [attr("virtual_network_name", hclString(parent))]),
            attr("resource_group_name", "var.resource_group_name"),
          ],
        ),
        blank,
      );
    }
    return `data.${type}.${label}.id`;
  };

  const asgLabels = new Map<string, string>();
  for (const asg of topology.applicationSecurityGroups) {
    const label = labelFor(AZURERM.asg, asg.name);
    asgLabels.set(lower(asg.name), label);
    resource(AZURERM.asg, label, [attr("name", hclString(asg.name)), ...placed(asg.location)]);
  }
  const asgId = (ref: ResourceRef): string => {
    const label = asgLabels.get(lower(refName(ref)));
    if (label !== undefined) return `${AZURERM.asg}.${label}.id`;
    return typeof ref === "string" ? lookup(AZURERM.asg, ref) : hclString(ref.id);
  };

  const nsgLabels = new Map<string, string>();
  for (const nsg of topology.networkSecurityGroups)
    nsgLabels.set(lower(nsg.name), labelFor(AZURERM.nsg, nsg.name));
  const nsgId = (ref: ResourceRef): string => {
    const label = nsgLabels.get(lower(refName(ref)));
    if (label !== undefined) return `${AZURERM.nsg}.${label}.id`;
    return typeof ref === "string" ? lookup(AZURERM.nsg, ref) : hclString(ref.id);
  };
  for (const nsg of topology.networkSecurityGroups) {
    const body: HclItem[] = [attr("name", hclString(nsg.name)), ...placed(nsg.location)];
    for (const rule of nsg.securityRules)
      body.push(blank, block("security_rule", [], ruleBody(rule, asgId)));
    resource(AZURERM.nsg, nsgLabels.get(lower(nsg.name)) as string, body);
  }

  const vnetLabels = new Map<string, string>();
  for (const vnet of topology.virtualNetworks)
    vnetLabels.set(lower(vnet.name), labelFor(AZURERM.vnet, vnet.name));
  const subnetLabels = new Map<string, string>();
  const subnetKey = (vnet: string, subnet: string) => `${lower(vnet)}/${lower(subnet)}`;
  const associations: HclItem[][] = [];
  if (scope === "nsgs")
    for (const vnet of topology.virtualNetworks)
      for (const subnet of vnet.subnets)
        if (subnet.networkSecurityGroup !== undefined)
          associations.push([
            block(
              "resource",
              [AZURERM.subnetNsg, labelFor(AZURERM.subnetNsg, `${vnet.name}_${subnet.name}`)],
              [
                attr("subnet_id", lookup(AZURERM.subnet, subnet.name, vnet.name)),
                attr("network_security_group_id", nsgId(subnet.networkSecurityGroup)),
              ],
            ),
          ]);
  for (const vnet of scope === "all" ? topology.virtualNetworks : []) {
    const vnetLabel = vnetLabels.get(lower(vnet.name)) as string;
    const body: HclItem[] = [
      attr("name", hclString(vnet.name)),
      ...placed(vnet.location),
      attr("address_space", hclList(vnet.addressSpace.addressPrefixes.map(hclString))),
    ];
    if (vnet.connectedAddressPrefixes && vnet.connectedAddressPrefixes.length > 0)
      body.push(blank, {
        comment: `connectedAddressPrefixes (${vnet.connectedAddressPrefixes.join(", ")}) are reached through a gateway; azurerm_virtual_network has no attribute for them`,
      });
    resource(AZURERM.vnet, vnetLabel, body);
    for (const subnet of vnet.subnets) {
      const label = labelFor(AZURERM.subnet, `${vnet.name}_${subnet.name}`);
      subnetLabels.set(subnetKey(vnet.name, subnet.name), label);
      const prefixes =
        subnet.addressPrefixes ??
        (subnet.addressPrefix === undefined ? [] : [subnet.addressPrefix]);
      resource(AZURERM.subnet, label, [
        attr("name", hclString(subnet.name)),
        attr("resource_group_name", "var.resource_group_name"),
        attr("virtual_network_name", `${AZURERM.vnet}.${vnetLabel}.name`),
        attr("address_prefixes", hclList(prefixes.map(hclString))),
      ]);
      if (subnet.networkSecurityGroup !== undefined)
        associations.push([
          block(
            "resource",
            [AZURERM.subnetNsg, label],
            [
              attr("subnet_id", `${AZURERM.subnet}.${label}.id`),
              attr("network_security_group_id", nsgId(subnet.networkSecurityGroup)),
            ],
          ),
        ]);
    }
  }
  for (const vnet of scope === "all" ? topology.virtualNetworks : [])
    for (const peering of vnet.virtualNetworkPeerings ?? []) {
      const remote = peering.remoteVirtualNetwork;
      const name = peering.name ?? `${vnet.name}-to-${refName(remote)}`;
      const remoteLabel = vnetLabels.get(lower(refName(remote)));
      resource(AZURERM.peering, labelFor(AZURERM.peering, name), [
        attr("name", hclString(name)),
        attr("resource_group_name", "var.resource_group_name"),
        attr(
          "virtual_network_name",
          `${AZURERM.vnet}.${vnetLabels.get(lower(vnet.name)) as string}.name`,
        ),
        attr(
          "remote_virtual_network_id",
          remoteLabel !== undefined
            ? `${AZURERM.vnet}.${remoteLabel}.id`
            : typeof remote === "string"
              ? lookup(AZURERM.vnet, remote)
              : hclString(remote.id),
        ),
        // azurerm's default is true, as ARM's is.
        ...(peering.allowVirtualNetworkAccess === false
          ? [attr("allow_virtual_network_access", "false")]
          : []),
        // azurerm's defaults are false, as ARM's are.
        ...(peering.allowForwardedTraffic ? [attr("allow_forwarded_traffic", "true")] : []),
        ...(peering.allowGatewayTransit ? [attr("allow_gateway_transit", "true")] : []),
        ...(peering.useRemoteGateways ? [attr("use_remote_gateways", "true")] : []),
      ]);
    }

  const subnetId = (ref: ResourceRef): string => {
    const text = typeof ref === "string" ? ref : ref.id;
    const id = /\/virtualNetworks\/([^/]+)\/subnets\/([^/]+)\/?$/i.exec(text);
    const [vnet, subnet] = id
      ? [id[1] as string, id[2] as string]
      : text.includes("/")
        ? text.split("/", 2)
        : [undefined, text];
    const holder =
      vnet ??
      topology.virtualNetworks.find((v) =>
        v.subnets.some((s) => lower(s.name) === lower(subnet ?? "")),
      )?.name;
    const label =
      holder === undefined ? undefined : subnetLabels.get(subnetKey(holder, subnet ?? ""));
    return label !== undefined ? `${AZURERM.subnet}.${label}.id` : hclString(text);
  };
  const pipLabels = new Map<string, string>();
  for (const pip of scope === "all" ? (topology.publicIPAddresses ?? []) : [])
    pipLabels.set(lower(pip.name), publicIp(pip, labelFor(AZURERM.pip, pip.name)));
  const pipId = (ref: ResourceRef): string => {
    const label = pipLabels.get(lower(refName(ref)));
    if (label !== undefined) return `${AZURERM.pip}.${label}.id`;
    return typeof ref === "string" ? lookup(AZURERM.pip, ref) : hclString(ref.id);
  };

  function publicIp(pip: PublicIPAddress, label: string): string {
    // azurerm requires allocation_method; Standard allows only Static.
    const allocation =
      pip.publicIPAllocationMethod ?? (pip.sku === "Standard" ? "Static" : "Dynamic");
    resource(AZURERM.pip, label, [
      attr("name", hclString(pip.name)),
      ...placed(pip.location),
      // Written always: azurerm's default changed from Basic to Standard in 4.0.
      attr("sku", hclString(pip.sku)),
      attr("allocation_method", hclString(allocation)),
      ...(pip.publicIPAddressVersion === "IPv6" ? [attr("ip_version", hclString("IPv6"))] : []),
      ...(pip.ipAddress === undefined ? [] : [attr("ip_address", hclString(pip.ipAddress))]),
    ]);
    return label;
  }

  for (const nic of topology.networkInterfaces)
    if (scope === "all") nicResources(nic, labelFor(AZURERM.nic, nic.name));
    else if (hasSecurity(nic))
      nicAssociations(nic, lookup(AZURERM.nic, nic.name), labelFor(AZURERM.nicNsg, nic.name));

  function nicResources(nic: NetworkInterface, label: string): void {
    const body: HclItem[] = [attr("name", hclString(nic.name)), ...placed(undefined)];
    nic.ipConfigurations.forEach((c, i) => {
      const address = c.privateIPAddress;
      const config: HclItem[] = [
        attr("name", hclString(c.name ?? `ipconfig${i + 1}`)),
        attr("subnet_id", subnetId(c.subnet)),
        ...(address === undefined
          ? [attr("private_ip_address_allocation", hclString("Dynamic"))]
          : [
              attr("private_ip_address_allocation", hclString("Static")),
              attr("private_ip_address", hclString(address)),
            ]),
      ];
      if (address === undefined ? c.privateIPAddressVersion === "IPv6" : address.includes(":"))
        config.push(attr("private_ip_address_version", hclString("IPv6")));
      // A public address given as an address is no resource: catalog.ts names it.
      const pip = c.publicIPAddress;
      if (pip !== undefined && (typeof pip !== "string" || parseIpAddress(pip) === undefined))
        config.push(attr("public_ip_address_id", pipId(pip)));
      if (nic.ipConfigurations.length > 1) config.push(attr("primary", i === 0 ? "true" : "false"));
      body.push(blank, block("ip_configuration", [], config));
    });
    resource(AZURERM.nic, label, body);
    nicAssociations(nic, `${AZURERM.nic}.${label}.id`, label);
  }

  /** The NSG and ASG associations of an interface whose id is `nicId`; `label`, the NSG association's. */
  function nicAssociations(nic: NetworkInterface, nicId: string, label: string): void {
    if (nic.networkSecurityGroup !== undefined)
      associations.push([
        block(
          "resource",
          [AZURERM.nicNsg, label],
          [
            attr("network_interface_id", nicId),
            attr("network_security_group_id", nsgId(nic.networkSecurityGroup)),
          ],
        ),
      ]);
    // The association joins every IP configuration of the interface, so it fits only when they agree.
    const sets = nic.ipConfigurations.map((c) =>
      (c.applicationSecurityGroups ?? [])
        .map((a) => lower(refName(a)))
        .sort()
        .join(","),
    );
    const first = nic.ipConfigurations[0]?.applicationSecurityGroups ?? [];
    if (sets.every((s) => s === sets[0])) {
      for (const asg of first)
        associations.push([
          block(
            "resource",
            [AZURERM.nicAsg, labelFor(AZURERM.nicAsg, `${nic.name}_${refName(asg)}`)],
            [
              attr("network_interface_id", nicId),
              attr("application_security_group_id", asgId(asg)),
            ],
          ),
        ]);
    } else
      associations.push([
        {
          comment: `${nic.name}: its IP configurations belong to different application security groups, which azurerm's association (one per interface) cannot express; they are not exported`,
        },
      ]);
  }

  for (const a of associations) out.push(...a, blank);
  const text = renderBody([...header, ...data, ...out]).join("\n");
  return `${text.trimEnd()}\n`;
}

/** A rule's attributes, in ARM's order, singular or plural as the model has them. */
function ruleBody(rule: SecurityRule, asgId: (ref: ResourceRef) => string): HclItem[] {
  const body: HclItem[] = [attr("name", hclString(rule.name))];
  for (const [attribute, field] of RULE_ATTRIBUTES) {
    const value = rule[field];
    if (value === undefined || value === "") continue;
    if (field === "priority") body.push(attr(attribute, String(value)));
    else if (field === "protocol" || field === "access" || field === "direction")
      body.push(attr(attribute, hclString(canonical(String(value)))));
    else if (Array.isArray(value)) {
      if (value.length === 0) continue;
      const items = field.endsWith("ApplicationSecurityGroups")
        ? (value as readonly ResourceRef[]).map(asgId)
        : (value as readonly string[]).map(hclString);
      body.push(attr(attribute, hclList(items)));
    } else body.push(attr(attribute, hclString(String(value))));
  }
  return body;
}
