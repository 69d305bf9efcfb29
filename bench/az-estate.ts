/**
 * A generated estate as Azure describes it, for import tests and benchmarks:
 * the JSON arrays that `az network vnet/nsg/nic/public-ip/lb/application-gateway/
 * route-table/asg list -o json` and `az appservice ase list -o json` print (with
 * their read-only fields and back-references, keys sorted as az prints them),
 * or the same estate as one ARM deployment template. Ids cross-reference
 * across the files as in a real subscription. Deterministic: no randomness.
 *
 * Shape for `nics` interfaces: one virtual network (10.N.0.0/16) per 500
 * interfaces, peered hub and spoke with the first; in each, five workload
 * subnets (/22) with an NSG each, two subnets for App Service Environments and
 * one for an application gateway; interfaces spread over the workload subnets,
 * each in its tier's ASG, every 10th with a Standard public IP, every 25th
 * with an NSG of its own; a public load balancer over the first web
 * interfaces with a NAT rule, an application gateway, a route table through
 * an appliance on the app subnets, an external v2 and an internal v3 App
 * Service Environment.
 */

const SUBSCRIPTION = "/subscriptions/00000000-0000-0000-0000-000000000000";
const GROUP = "estate-rg";
const LOCATION = "westeurope";
const TIERS = ["web", "app", "data", "ops", "batch"] as const;
const NICS_PER_NETWORK = 500;

type Json = Record<string, unknown>;

const providers = `${SUBSCRIPTION}/resourceGroups/${GROUP}/providers`;
const networkId = (type: string, name: string) => `${providers}/Microsoft.Network/${type}/${name}`;
const ref = (id: string) => ({ id, resourceGroup: GROUP });
const etag = (n: number) =>
  `W/"${(0x10000000 + n * 7919).toString(16)}-0000-0000-0000-000000000000"`;

/** Keys sorted, as `az ... -o json` prints them. */
function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value !== null && typeof value === "object")
    return Object.fromEntries(
      Object.keys(value as Json)
        .sort()
        .map((k) => [k, sorted((value as Json)[k])]),
    );
  return value;
}

interface Nic {
  readonly name: string;
  readonly vnet: number;
  readonly tier: (typeof TIERS)[number];
  readonly address: string;
  readonly publicIp?: string;
  readonly nsg?: string;
  readonly pool?: boolean;
}

/** The estate's parts, from which both forms are written. */
function layout(nics: number) {
  const networks = Math.max(1, Math.ceil(nics / NICS_PER_NETWORK));
  const list: Nic[] = [];
  const perSubnet = new Map<string, number>();
  for (let i = 0; i < nics; i++) {
    const vnet = Math.floor(i / NICS_PER_NETWORK);
    const tier = TIERS[i % TIERS.length] as (typeof TIERS)[number];
    const key = `${vnet}/${tier}`;
    const host = (perSubnet.get(key) ?? 0) + 4;
    perSubnet.set(key, host - 3);
    const t = TIERS.indexOf(tier);
    const address = `10.${vnet}.${t * 4 + Math.floor(host / 256)}.${host % 256}`;
    const name = `nic-${String(i).padStart(4, "0")}`;
    list.push({
      name,
      vnet,
      tier,
      address,
      ...(i % 10 === 0 ? { publicIp: `pip-${name}` } : {}),
      ...(i % 25 === 3 ? { nsg: "nsg-jump" } : {}),
      ...(tier === "web" && i < 100 ? { pool: true } : {}),
    });
  }
  return { networks, nics: list };
}

const subnetName = (tier: string) => `snet-${tier}`;
const vnetName = (v: number) => `vnet-${v}`;
const nsgName = (v: number, tier: string) => `nsg-${v}-${tier}`;
const asgName = (v: number, tier: string) => `asg-${v}-${tier}`;

/** An address for the n-th public IP: documentation blocks first, then 20.50.0.0/16. */
function publicAddress(n: number): string {
  if (n < 256) return `198.51.100.${n}`;
  if (n < 512) return `203.0.113.${n - 256}`;
  return `20.50.${Math.floor((n - 512) / 256)}.${(n - 512) % 256}`;
}

/** The rules of a tier's NSG: ASG to ASG, tags, prefix and port lists, both accesses. */
function rules(v: number, tier: string): Json[] {
  const up: Record<string, string> = { app: "web", data: "app", ops: "web", batch: "app" };
  const caller = up[tier];
  const rule = (name: string, priority: number, fields: Json): Json => ({
    name,
    priority,
    direction: "Inbound",
    access: "Allow",
    protocol: "Tcp",
    sourcePortRange: "*",
    destinationAddressPrefix: "*",
    ...fields,
  });
  const list: Json[] = [
    rule("allow-lb-probe", 100, {
      sourceAddressPrefix: "AzureLoadBalancer",
      destinationPortRange: "*",
    }),
    rule("allow-https-in", 110, {
      sourceAddressPrefix: tier === "web" ? "Internet" : "VirtualNetwork",
      destinationPortRanges: ["443", "8443"],
    }),
    rule("allow-mgmt", 120, {
      sourceAddressPrefixes: ["10.250.0.0/24", "10.251.0.0/24", "192.0.2.0/28"],
      destinationPortRanges: ["22", "3389", "5985-5986"],
    }),
    rule("deny-smb", 130, {
      access: "Deny",
      protocol: "*",
      sourceAddressPrefix: "*",
      destinationPortRanges: ["137-139", "445"],
    }),
  ];
  if (caller !== undefined)
    list.push(
      rule(`allow-${caller}-to-${tier}`, 200, {
        sourceApplicationSecurityGroups: [
          { id: networkId("applicationSecurityGroups", asgName(v, caller)) },
        ],
        destinationApplicationSecurityGroups: [
          { id: networkId("applicationSecurityGroups", asgName(v, tier)) },
        ],
        destinationAddressPrefix: undefined,
        destinationPortRanges: ["8080", "9000-9010"],
      }),
    );
  for (let k = 0; k < 8; k++)
    list.push(
      rule(`allow-partner-${k}`, 300 + k * 10, {
        sourceAddressPrefix: `100.${64 + k}.${v}.0/24`,
        destinationPortRange: String(10000 + k),
        protocol: k % 2 === 0 ? "Tcp" : "Udp",
      }),
    );
  list.push(
    rule("deny-internet", 4000, {
      access: "Deny",
      protocol: "*",
      sourceAddressPrefix: "Internet",
      destinationPortRange: "*",
    }),
  );
  return list;
}

/** Azure's default rules, as az prints them beside the custom ones. */
const DEFAULT_RULES: Json[] = [
  ["AllowVnetInBound", 65000, "Inbound", "Allow", "VirtualNetwork", "VirtualNetwork"],
  ["AllowAzureLoadBalancerInBound", 65001, "Inbound", "Allow", "AzureLoadBalancer", "*"],
  ["DenyAllInBound", 65500, "Inbound", "Deny", "*", "*"],
  ["AllowVnetOutBound", 65000, "Outbound", "Allow", "VirtualNetwork", "VirtualNetwork"],
  ["AllowInternetOutBound", 65001, "Outbound", "Allow", "*", "Internet"],
  ["DenyAllOutBound", 65500, "Outbound", "Deny", "*", "*"],
].map(([name, priority, direction, access, source, destination]) => ({
  name,
  priority,
  direction,
  access,
  protocol: "*",
  sourceAddressPrefix: source,
  sourcePortRange: "*",
  destinationAddressPrefix: destination,
  destinationPortRange: "*",
  description: `Default rule ${name}`,
}));

/** The files `az ... list -o json` writes for the estate, by file name. */
export function azEstate(nicCount: number): Record<string, unknown[]> {
  const { networks, nics } = layout(nicCount);
  const nicId = (n: Nic) => networkId("networkInterfaces", n.name);
  const configId = (n: Nic) => `${nicId(n)}/ipConfigurations/ipconfig1`;
  const subnetId = (v: number, s: string) =>
    `${networkId("virtualNetworks", vnetName(v))}/subnets/${s}`;
  const pipId = (name: string) => networkId("publicIPAddresses", name);
  const lbId = networkId("loadBalancers", "lb-web");
  const agwId = networkId("applicationGateways", "agw-front");
  const rtId = networkId("routeTables", "rt-egress");
  const common = (type: string, id: string, name: string, n: number): Json => ({
    etag: etag(n),
    id,
    location: LOCATION,
    name,
    provisioningState: "Succeeded",
    resourceGroup: GROUP,
    tags: {},
    type,
  });

  const nsgs: Json[] = [];
  for (let v = 0; v < networks; v++)
    for (const tier of TIERS) {
      const name = nsgName(v, tier);
      const id = networkId("networkSecurityGroups", name);
      nsgs.push({
        ...common("Microsoft.Network/networkSecurityGroups", id, name, nsgs.length),
        securityRules: rules(v, tier).map((r, i) => ({
          ...r,
          destinationAddressPrefixes: r.destinationAddressPrefixes ?? [],
          destinationPortRanges: r.destinationPortRanges ?? [],
          etag: etag(i),
          id: `${id}/securityRules/${r.name}`,
          provisioningState: "Succeeded",
          resourceGroup: GROUP,
          sourceAddressPrefixes: r.sourceAddressPrefixes ?? [],
          sourcePortRanges: [],
          type: "Microsoft.Network/networkSecurityGroups/securityRules",
        })),
        defaultSecurityRules: DEFAULT_RULES.map((r) => ({
          ...r,
          id: `${id}/defaultSecurityRules/${r.name}`,
          type: "Microsoft.Network/networkSecurityGroups/defaultSecurityRules",
        })),
        subnets: [ref(subnetId(v, subnetName(tier)))],
        resourceGuid: `00000000-0000-0000-0000-${String(nsgs.length).padStart(12, "0")}`,
      });
    }
  const jumpId = networkId("networkSecurityGroups", "nsg-jump");
  nsgs.push({
    ...common("Microsoft.Network/networkSecurityGroups", jumpId, "nsg-jump", nsgs.length),
    securityRules: [
      {
        access: "Allow",
        destinationAddressPrefix: "*",
        destinationPortRange: "22",
        direction: "Inbound",
        id: `${jumpId}/securityRules/allow-ssh-admins`,
        name: "allow-ssh-admins",
        priority: 100,
        protocol: "Tcp",
        sourceAddressPrefix: "203.0.113.0/26",
        sourcePortRange: "*",
        type: "Microsoft.Network/networkSecurityGroups/securityRules",
      },
    ],
    defaultSecurityRules: DEFAULT_RULES,
    networkInterfaces: nics.filter((n) => n.nsg).map((n) => ref(nicId(n))),
  });

  const asgs: Json[] = [];
  for (let v = 0; v < networks; v++)
    for (const tier of TIERS) {
      const name = asgName(v, tier);
      asgs.push(
        common(
          "Microsoft.Network/applicationSecurityGroups",
          networkId("applicationSecurityGroups", name),
          name,
          asgs.length,
        ),
      );
    }

  const publicIps: Json[] = [];
  const pip = (name: string, owner: string) => {
    publicIps.push({
      ...common("Microsoft.Network/publicIPAddresses", pipId(name), name, publicIps.length),
      idleTimeoutInMinutes: 4,
      ipAddress: publicAddress(publicIps.length),
      ipConfiguration: ref(owner),
      ipTags: [],
      publicIPAddressVersion: "IPv4",
      publicIPAllocationMethod: "Static",
      sku: { name: "Standard", tier: "Regional" },
      zones: ["1", "2", "3"],
    });
  };
  for (const n of nics) if (n.publicIp) pip(n.publicIp, configId(n));
  pip("pip-lb-web", `${lbId}/frontendIPConfigurations/frontend`);
  pip("pip-agw", `${agwId}/frontendIPConfigurations/appGwPublicFrontendIp`);

  const interfaces = nics.map((n, i) => ({
    ...common("Microsoft.Network/networkInterfaces", nicId(n), n.name, i),
    auxiliaryMode: "None",
    disableTcpStateTracking: false,
    dnsSettings: {
      appliedDnsServers: [],
      dnsServers: [],
      internalDomainNameSuffix: "estate.ax.internal.cloudapp.net",
    },
    enableAcceleratedNetworking: false,
    enableIPForwarding: false,
    ipConfigurations: [
      {
        applicationSecurityGroups: [
          ref(networkId("applicationSecurityGroups", asgName(n.vnet, n.tier))),
        ],
        etag: etag(i),
        id: configId(n),
        ...(n.pool
          ? { loadBalancerBackendAddressPools: [ref(`${lbId}/backendAddressPools/web-pool`)] }
          : {}),
        ...(i === 0 ? { loadBalancerInboundNatRules: [ref(`${lbId}/inboundNatRules/ssh-0`)] } : {}),
        name: "ipconfig1",
        primary: true,
        privateIPAddress: n.address,
        privateIPAddressVersion: "IPv4",
        privateIPAllocationMethod: i % 2 === 0 ? "Dynamic" : "Static",
        provisioningState: "Succeeded",
        ...(n.publicIp ? { publicIPAddress: ref(pipId(n.publicIp)) } : {}),
        resourceGroup: GROUP,
        subnet: ref(subnetId(n.vnet, subnetName(n.tier))),
        type: "Microsoft.Network/networkInterfaces/ipConfigurations",
      },
    ],
    macAddress:
      `00-0D-3A-${(i >> 16).toString(16).padStart(2, "0")}-${((i >> 8) & 255).toString(16).padStart(2, "0")}-${(i & 255).toString(16).padStart(2, "0")}`.toUpperCase(),
    ...(n.nsg ? { networkSecurityGroup: ref(jumpId) } : {}),
    nicType: "Standard",
    primary: true,
    virtualMachine: ref(`${providers}/Microsoft.Compute/virtualMachines/vm-${n.name.slice(4)}`),
    vnetEncryptionSupported: false,
  }));

  const vnets: Json[] = [];
  for (let v = 0; v < networks; v++) {
    const id = networkId("virtualNetworks", vnetName(v));
    const subnet = (name: string, prefix: string, extra: Json): Json => ({
      addressPrefix: prefix,
      delegations: [],
      etag: etag(v),
      id: `${id}/subnets/${name}`,
      name,
      privateEndpointNetworkPolicies: "Disabled",
      privateLinkServiceNetworkPolicies: "Enabled",
      provisioningState: "Succeeded",
      resourceGroup: GROUP,
      type: "Microsoft.Network/virtualNetworks/subnets",
      ...extra,
    });
    const peer = (to: number) => ({
      allowForwardedTraffic: false,
      allowGatewayTransit: false,
      allowVirtualNetworkAccess: true,
      etag: etag(to),
      id: `${id}/virtualNetworkPeerings/to-${vnetName(to)}`,
      name: `to-${vnetName(to)}`,
      peeringState: "Connected",
      peeringSyncLevel: "FullyInSync",
      provisioningState: "Succeeded",
      remoteAddressSpace: { addressPrefixes: [`10.${to}.0.0/16`] },
      remoteVirtualNetwork: { id: networkId("virtualNetworks", vnetName(to)) },
      resourceGroup: GROUP,
      type: "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
      useRemoteGateways: false,
    });
    vnets.push({
      ...common("Microsoft.Network/virtualNetworks", id, vnetName(v), v),
      addressSpace: { addressPrefixes: [`10.${v}.0.0/16`] },
      enableDdosProtection: false,
      subnets: [
        ...TIERS.map((tier, t) =>
          subnet(subnetName(tier), `10.${v}.${t * 4}.0/22`, {
            ipConfigurations: nics
              .filter((n) => n.vnet === v && n.tier === tier)
              .map((n) => ref(configId(n).toUpperCase())),
            networkSecurityGroup: ref(networkId("networkSecurityGroups", nsgName(v, tier))),
            ...(tier === "app" ? { routeTable: ref(rtId) } : {}),
          }),
        ),
        subnet("snet-ase-a", `10.${v}.32.0/24`, {
          delegations: [
            {
              id: `${id}/subnets/snet-ase-a/delegations/ase`,
              name: "ase",
              serviceName: "Microsoft.Web/hostingEnvironments",
              type: "Microsoft.Network/virtualNetworks/subnets/delegations",
            },
          ],
        }),
        subnet("snet-ase-b", `10.${v}.33.0/24`, {}),
        subnet("snet-appgw", `10.${v}.40.0/24`, {}),
      ],
      virtualNetworkPeerings:
        v === 0 ? Array.from({ length: networks - 1 }, (_, k) => peer(k + 1)) : [peer(0)],
    });
  }

  const webPool = nics.filter((n) => n.pool);
  const first = nics[0];
  const loadBalancers: Json[] = [
    {
      ...common("Microsoft.Network/loadBalancers", lbId, "lb-web", 0),
      backendAddressPools: [
        {
          backendIPConfigurations: webPool.map((n) => ref(configId(n))),
          id: `${lbId}/backendAddressPools/web-pool`,
          loadBalancingRules: [ref(`${lbId}/loadBalancingRules/https`)],
          name: "web-pool",
          resourceGroup: GROUP,
          type: "Microsoft.Network/loadBalancers/backendAddressPools",
        },
      ],
      frontendIPConfigurations: [
        {
          id: `${lbId}/frontendIPConfigurations/frontend`,
          name: "frontend",
          privateIPAllocationMethod: "Dynamic",
          publicIPAddress: ref(pipId("pip-lb-web")),
          resourceGroup: GROUP,
          type: "Microsoft.Network/loadBalancers/frontendIPConfigurations",
        },
      ],
      inboundNatPools: [],
      inboundNatRules: first
        ? [
            {
              backendIPConfiguration: ref(configId(first)),
              backendPort: 22,
              enableFloatingIP: false,
              enableTcpReset: false,
              frontendIPConfiguration: ref(`${lbId}/frontendIPConfigurations/frontend`),
              frontendPort: 50000,
              id: `${lbId}/inboundNatRules/ssh-0`,
              idleTimeoutInMinutes: 4,
              name: "ssh-0",
              protocol: "Tcp",
              resourceGroup: GROUP,
              type: "Microsoft.Network/loadBalancers/inboundNatRules",
            },
          ]
        : [],
      loadBalancingRules: [
        {
          backendAddressPool: ref(`${lbId}/backendAddressPools/web-pool`),
          backendPort: 443,
          disableOutboundSnat: true,
          enableFloatingIP: false,
          enableTcpReset: false,
          frontendIPConfiguration: ref(`${lbId}/frontendIPConfigurations/frontend`),
          frontendPort: 443,
          id: `${lbId}/loadBalancingRules/https`,
          idleTimeoutInMinutes: 4,
          loadDistribution: "Default",
          name: "https",
          probe: ref(`${lbId}/probes/https-probe`),
          protocol: "Tcp",
          resourceGroup: GROUP,
          type: "Microsoft.Network/loadBalancers/loadBalancingRules",
        },
      ],
      outboundRules: [],
      probes: [
        {
          id: `${lbId}/probes/https-probe`,
          intervalInSeconds: 5,
          name: "https-probe",
          numberOfProbes: 2,
          port: 443,
          protocol: "Tcp",
          resourceGroup: GROUP,
          type: "Microsoft.Network/loadBalancers/probes",
        },
      ],
      sku: { name: "Standard", tier: "Regional" },
    },
  ];

  const appServers = nics.filter((n) => n.tier === "app").slice(0, 10);
  const gateways: Json[] = [
    {
      ...common("Microsoft.Network/applicationGateways", agwId, "agw-front", 0),
      backendAddressPools: [
        {
          backendAddresses: appServers.map((n) => ({ ipAddress: n.address })),
          id: `${agwId}/backendAddressPools/app-pool`,
          name: "app-pool",
          resourceGroup: GROUP,
          type: "Microsoft.Network/applicationGateways/backendAddressPools",
        },
      ],
      frontendIPConfigurations: [
        {
          id: `${agwId}/frontendIPConfigurations/appGwPublicFrontendIp`,
          name: "appGwPublicFrontendIp",
          privateIPAllocationMethod: "Dynamic",
          publicIPAddress: ref(pipId("pip-agw")),
          resourceGroup: GROUP,
          type: "Microsoft.Network/applicationGateways/frontendIPConfigurations",
        },
      ],
      frontendPorts: [{ id: `${agwId}/frontendPorts/port_443`, name: "port_443", port: 443 }],
      gatewayIPConfigurations: [
        {
          id: `${agwId}/gatewayIPConfigurations/appGatewayIpConfig`,
          name: "appGatewayIpConfig",
          subnet: ref(subnetId(0, "snet-appgw")),
        },
      ],
      httpListeners: [
        {
          frontendIPConfiguration: ref(`${agwId}/frontendIPConfigurations/appGwPublicFrontendIp`),
          frontendPort: ref(`${agwId}/frontendPorts/port_443`),
          id: `${agwId}/httpListeners/https`,
          name: "https",
          protocol: "Https",
        },
      ],
      operationalState: "Running",
      sku: { capacity: 2, name: "Standard_v2", tier: "Standard_v2" },
    },
  ];

  const routeTables: Json[] = [
    {
      ...common("Microsoft.Network/routeTables", rtId, "rt-egress", 0),
      disableBgpRoutePropagation: false,
      routes: [
        {
          addressPrefix: "0.0.0.0/0",
          etag: etag(1),
          id: `${rtId}/routes/to-firewall`,
          name: "to-firewall",
          nextHopIpAddress: "10.0.40.4",
          nextHopType: "VirtualAppliance",
          provisioningState: "Succeeded",
          resourceGroup: GROUP,
          type: "Microsoft.Network/routeTables/routes",
        },
      ],
      subnets: Array.from({ length: networks }, (_, v) => ref(subnetId(v, "snet-app"))),
    },
  ];

  const last = networks - 1;
  const aseId = (name: string) => `${providers}/Microsoft.Web/hostingEnvironments/${name}`;
  const ases: Json[] = [
    {
      dnsSuffix: "ase-ext.p.azurewebsites.net",
      frontEndScaleFactor: 15,
      id: aseId("ase-ext"),
      internalLoadBalancingMode: "None",
      kind: "ASEV2",
      location: LOCATION,
      multiRoleCount: 2,
      multiSize: "Standard_D1_V2",
      name: "ase-ext",
      provisioningState: "Succeeded",
      resourceGroup: GROUP,
      status: "Ready",
      suspended: false,
      type: "Microsoft.Web/hostingEnvironments",
      virtualNetwork: {
        id: networkId("virtualNetworks", vnetName(0)),
        name: vnetName(0),
        subnet: "snet-ase-a",
        type: "Microsoft.Network/virtualNetworks",
      },
    },
    {
      dedicatedHostCount: 0,
      dnsSuffix: "ase-int.appserviceenvironment.net",
      id: aseId("ase-int"),
      internalLoadBalancingMode: "Web, Publishing",
      kind: "ASEV3",
      location: LOCATION,
      name: "ase-int",
      networkingConfiguration: {
        allowNewPrivateEndpointConnections: false,
        externalInboundIpAddresses: [],
        ftpEnabled: false,
        id: `${aseId("ase-int")}/configurations/networking`,
        internalInboundIpAddresses: [`10.${last}.33.11`],
        linuxOutboundIpAddresses: ["20.60.0.10"],
        name: "networking",
        remoteDebugEnabled: false,
        type: "Microsoft.Web/hostingEnvironments/configurations/networking",
        windowsOutboundIpAddresses: ["20.60.0.10"],
      },
      provisioningState: "Succeeded",
      resourceGroup: GROUP,
      status: "Ready",
      type: "Microsoft.Web/hostingEnvironments",
      upgradePreference: "None",
      virtualNetwork: {
        id: `${networkId("virtualNetworks", vnetName(last))}/subnets/snet-ase-b`,
        name: "snet-ase-b",
        type: "Microsoft.Network/virtualNetworks/subnets",
      },
      zoneRedundant: false,
    },
  ];

  return Object.fromEntries(
    Object.entries({
      "vnet-list.json": vnets,
      "nsg-list.json": nsgs,
      "nic-list.json": interfaces,
      "public-ip-list.json": publicIps,
      "lb-list.json": loadBalancers,
      "application-gateway-list.json": gateways,
      "route-table-list.json": routeTables,
      "asg-list.json": asgs,
      "ase-list.json": ases,
    }).map(([file, items]) => [file, sorted(items) as unknown[]]),
  );
}

/**
 * The same estate as one ARM deployment template: resources with their
 * `properties`, references by `resourceId()`, `dependsOn`, copy loops left
 * out (each resource written), interfaces' addresses Dynamic for half.
 */
export function armEstateTemplate(nicCount: number): Json {
  const files = azEstate(nicCount);
  const rid = (id: string) => {
    const m = /\/providers\/(Microsoft\.[^/]+)\/([^/]+)\/([^/]+)(?:\/([^/]+)\/([^/]+))?/.exec(id);
    if (!m) return id;
    const [, ns, type, name, child, childName] = m;
    return child === undefined
      ? `[resourceId('${ns}/${type}', '${name}')]`
      : `[resourceId('${ns}/${type}/${child}', '${name}', '${childName}')]`;
  };
  const READ_ONLY = new Set([
    "etag",
    "id",
    "provisioningState",
    "resourceGroup",
    "resourceGuid",
    "type",
    "ipConfigurations",
    "ipConfiguration",
    "networkInterfaces",
    "subnets",
    "macAddress",
    "virtualMachine",
    "backendIPConfigurations",
    "backendIPConfiguration",
    "loadBalancingRules",
    "peeringState",
    "peeringSyncLevel",
    "remoteAddressSpace",
    "defaultSecurityRules",
    "operationalState",
    "status",
    "primary",
  ]);
  /** A resource's body as a template writes it: ids as resourceId(), read-only fields left out. */
  const body = (value: unknown, keep: readonly string[] = []): unknown => {
    if (Array.isArray(value)) return value.map((v) => body(v));
    if (value !== null && typeof value === "object") {
      const obj = value as Json;
      if (
        Object.keys(obj).every((k) => k === "id" || k === "resourceGroup") &&
        typeof obj.id === "string"
      )
        return { id: rid(obj.id) };
      return Object.fromEntries(
        Object.entries(obj)
          .filter(([k]) => keep.includes(k) || !READ_ONLY.has(k))
          .map(([k, v]) => [k, body(v)]),
      );
    }
    return value;
  };
  const resource = (type: string, item: Json, keepTop: readonly string[] = []): Json => {
    const { name, location, sku, kind, tags: _t, ...rest } = item;
    const props: Json = {};
    for (const [k, v] of Object.entries(rest)) {
      if (!keepTop.includes(k) && READ_ONLY.has(k)) continue;
      props[k] = body(v, keepTop);
    }
    return {
      type,
      apiVersion: type.startsWith("Microsoft.Web") ? "2022-03-01" : "2024-05-01",
      name,
      ...(location ? { location: "[parameters('location')]" } : {}),
      ...(sku ? { sku } : {}),
      ...(kind ? { kind } : {}),
      properties: props,
    };
  };
  const wrapChildren = (items: unknown) =>
    (items as Json[]).map((c) => {
      const { name, ...rest } = c;
      return { name, properties: body(rest) };
    });
  const resources: Json[] = [];
  for (const a of files["asg-list.json"] as Json[])
    resources.push(resource("Microsoft.Network/applicationSecurityGroups", a));
  for (const n of files["nsg-list.json"] as Json[]) {
    const r = resource("Microsoft.Network/networkSecurityGroups", n);
    (r.properties as Json).securityRules = wrapChildren(n.securityRules);
    resources.push(r);
  }
  for (const p of files["public-ip-list.json"] as Json[]) {
    const r = resource("Microsoft.Network/publicIPAddresses", p);
    delete (r.properties as Json).ipAddress;
    resources.push(r);
  }
  for (const t of files["route-table-list.json"] as Json[]) {
    const r = resource("Microsoft.Network/routeTables", t);
    (r.properties as Json).routes = wrapChildren(t.routes);
    resources.push(r);
  }
  for (const v of files["vnet-list.json"] as Json[]) {
    const r = resource("Microsoft.Network/virtualNetworks", v);
    (r.properties as Json).subnets = wrapChildren(
      (v.subnets as Json[]).map(({ ipConfigurations: _i, ...s }) => s),
    );
    (r.properties as Json).virtualNetworkPeerings = wrapChildren(v.virtualNetworkPeerings);
    resources.push(r);
  }
  for (const [i, n] of (files["nic-list.json"] as Json[]).entries()) {
    const r = resource("Microsoft.Network/networkInterfaces", n);
    (r.properties as Json).ipConfigurations = wrapChildren(
      (n.ipConfigurations as Json[]).map(
        ({ privateIPAddress, privateIPAllocationMethod: _m, ...c }) => ({
          ...c,
          ...(i % 2 === 1
            ? { privateIPAddress, privateIPAllocationMethod: "Static" }
            : { privateIPAllocationMethod: "Dynamic" }),
        }),
      ),
    );
    resources.push(r);
  }
  for (const l of files["lb-list.json"] as Json[]) {
    const r = resource("Microsoft.Network/loadBalancers", l);
    for (const key of [
      "frontendIPConfigurations",
      "backendAddressPools",
      "loadBalancingRules",
      "probes",
      "inboundNatRules",
    ])
      (r.properties as Json)[key] = wrapChildren(l[key]);
    resources.push(r);
  }
  for (const g of files["application-gateway-list.json"] as Json[]) {
    const r = resource("Microsoft.Network/applicationGateways", g);
    for (const key of [
      "gatewayIPConfigurations",
      "frontendIPConfigurations",
      "frontendPorts",
      "backendAddressPools",
      "httpListeners",
    ])
      (r.properties as Json)[key] = wrapChildren(g[key]);
    resources.push(r);
  }
  for (const a of files["ase-list.json"] as Json[]) {
    const { networkingConfiguration: _n, ...rest } = a;
    const r = resource("Microsoft.Web/hostingEnvironments", rest);
    const vnet = a.virtualNetwork as Json;
    (r.properties as Json).virtualNetwork = {
      id: rid(vnet.id as string),
      ...(typeof vnet.subnet === "string" ? { subnet: vnet.subnet } : {}),
    };
    resources.push(r);
  }
  return {
    $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    contentVersion: "1.0.0.0",
    parameters: { location: { type: "string", defaultValue: LOCATION } },
    resources,
  };
}
