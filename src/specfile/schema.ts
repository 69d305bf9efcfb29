import * as v from "valibot";
import {
  ALLOCATION_METHODS,
  APPLICATION_GATEWAY_PROTOCOLS,
  APPLICATION_GATEWAY_TIERS,
  BASTION_SKUS,
  ENVIRONMENT_KINDS,
  IP_VERSIONS,
  LOAD_BALANCER_PROTOCOLS,
  LOAD_BALANCER_SKUS,
  NEXT_HOP_TYPES,
  ORCHESTRATION_MODES,
  PRIVATE_ENDPOINT_NETWORK_POLICIES,
  PROBE_PROTOCOLS,
  PUBLIC_IP_SKUS,
} from "../model/types.js";

/*
 * The spec file's shape. Property names are ARM's, so that what
 * `az network nsg show` prints can be pasted in; a rule's fields may sit at the
 * top level (as the CLI prints them) or under `properties` (as ARM templates
 * write them). Unknown keys are errors: a typo must never weaken a policy.
 * Values are checked against Azure's rules later (model/), with all problems reported.
 */

const isMapping = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

type Config = v.Config<v.BaseIssue<unknown>>;
type Dataset = v.OutputDataset<unknown, v.BaseIssue<unknown>>;

/** `schema`, run by `run`: for what valibot's own schemas check otherwise. */
function withRun<S extends v.GenericSchema>(
  schema: S,
  run: (dataset: v.UnknownDataset, config: Config) => Dataset,
): S {
  return v._standardSchema<S>({ ...schema, "~run": run as S["~run"] });
}

/** Fails `dataset` as not of the type `schema` stands for (`expected` names it). */
function wrongType(
  schema: v.GenericSchema,
  dataset: v.UnknownDataset,
  config: Config,
  expected = schema.expects,
): Dataset {
  v._addIssue(schema, "type", dataset, config, { expected });
  // _addIssue has made it a failure, which its type does not follow.
  return dataset as unknown as Dataset;
}

/** `schema` (an object or a record), taking a mapping only: valibot's take a list too. */
function mapping<S extends v.GenericSchema>(schema: S, expected?: string): S {
  return withRun(schema, (dataset, config) =>
    isMapping(dataset.value)
      ? schema["~run"](dataset, config)
      : wrongType(schema, dataset, config, expected),
  );
}

/**
 * A mapping of these properties and no others. Every other key is reported
 * (valibot's strictObject reports the first only, and skips `__proto__`), with
 * issue type "never", and leaves the rest usable: a union holding the object
 * then reports the key rather than failing as a whole. An absent property is
 * checked as undefined, so its own schema says what it expects.
 */
function closed<const E extends v.ObjectEntries>(entries: E): v.StrictObjectSchema<E, undefined> {
  const schema = v.strictObject(entries);
  const unknownKey = v.never();
  return withRun(schema, (dataset, config) => {
    const input = dataset.value;
    if (!isMapping(input)) return wrongType(schema, dataset, config);
    const value: Record<string, unknown> = {};
    const issues: v.BaseIssue<unknown>[] = [];
    let typed = true;
    const collect = (key: string, checked: Dataset) => {
      const item: v.ObjectPathItem = {
        type: "object",
        origin: "value",
        input,
        key,
        value: input[key],
      };
      for (const issue of checked.issues ?? [])
        issues.push({ ...issue, path: [item, ...(issue.path ?? [])] });
    };
    for (const [key, entry] of Object.entries(entries)) {
      const checked = entry["~run"]({ value: input[key] }, config);
      collect(key, checked);
      typed &&= checked.typed;
      // An absent optional property stays absent.
      if (checked.value !== undefined) value[key] = checked.value;
    }
    for (const key of Object.keys(input))
      if (!Object.hasOwn(entries, key))
        collect(key, unknownKey["~run"]({ value: input[key] }, config));
    return (issues.length > 0 ? { typed, value, issues } : { typed, value }) as Dataset;
  });
}

const safeInteger = v.pipe(v.number(), v.safeInteger());

/**
 * An integer. A fraction is of the wrong type (expected "int"), and so are
 * NaN and the infinities (expected "number"), so that a union of it names
 * every type it takes; an integer beyond the safe range is a wrong value.
 */
const int = withRun(safeInteger, (dataset, config) => {
  const value = dataset.value;
  if (typeof value !== "number" || Number.isInteger(value))
    return safeInteger["~run"](dataset, config);
  return wrongType(safeInteger, dataset, config, Number.isFinite(value) ? "int" : "number");
});

const resourceRef = v.pipe(
  v.union([v.pipe(v.string(), v.minLength(1)), closed({ id: v.pipe(v.string(), v.minLength(1)) })]),
  v.description("A resource name, or { id } with an ARM resource id"),
);

/** Read-only fields that Azure's outputs carry; accepted and ignored. */
const readOnly = {
  id: v.optional(v.string()),
  etag: v.optional(v.string()),
  type: v.optional(v.string()),
  provisioningState: v.optional(v.string()),
  resourceGroup: v.optional(v.string()),
};

/**
 * A port or range; a bare YAML number (443) is read as the text Azure expects
 * ("443"). The description comes before the transform: the JSON Schema, which
 * describes the input, stops there.
 */
const portText = v.pipe(
  v.union([v.string(), int]),
  v.description("A port, a range a-b, or *"),
  v.transform((value) => String(value)),
);

const ruleFields = {
  description: v.optional(v.string()),
  protocol: v.optional(v.pipe(v.string(), v.description("Tcp, Udp, Icmp, Esp, Ah or *"))),
  access: v.optional(v.pipe(v.string(), v.description("Allow or Deny"))),
  priority: v.optional(v.pipe(int, v.description("100-4096; lower is evaluated first"))),
  direction: v.optional(v.pipe(v.string(), v.description("Inbound or Outbound"))),
  sourceAddressPrefix: v.optional(v.string()),
  sourceAddressPrefixes: v.optional(v.array(v.string())),
  sourceApplicationSecurityGroups: v.optional(v.array(resourceRef)),
  sourcePortRange: v.optional(portText),
  sourcePortRanges: v.optional(v.array(portText)),
  destinationAddressPrefix: v.optional(v.string()),
  destinationAddressPrefixes: v.optional(v.array(v.string())),
  destinationApplicationSecurityGroups: v.optional(v.array(resourceRef)),
  destinationPortRange: v.optional(portText),
  destinationPortRanges: v.optional(v.array(portText)),
};

export const RULE_FIELDS = Object.keys(ruleFields) as (keyof typeof ruleFields)[];

export const securityRuleSchema = closed({
  name: v.string(),
  ...readOnly,
  ...ruleFields,
  properties: v.optional(closed({ ...ruleFields, provisioningState: v.optional(v.string()) })),
});

export const networkSecurityGroupSchema = closed({
  name: v.string(),
  ...readOnly,
  location: v.optional(v.string()),
  tags: v.optional(mapping(v.record(v.string(), v.string()), "record")),
  resourceGuid: v.optional(v.string()),
  flushConnection: v.optional(v.boolean()),
  securityRules: v.optional(v.array(securityRuleSchema)),
  defaultSecurityRules: v.optional(
    v.pipe(
      v.array(v.unknown()),
      v.description("Read-only in Azure's output; tierwall always applies the six default rules"),
    ),
  ),
});

const subnetSchema = closed({
  name: v.string(),
  ...readOnly,
  addressPrefix: v.optional(v.string()),
  addressPrefixes: v.optional(v.array(v.string())),
  networkSecurityGroup: v.optional(resourceRef),
  routeTable: v.optional(resourceRef),
  natGateway: v.optional(
    v.pipe(
      resourceRef,
      v.description("The NAT gateway its traffic to the Internet leaves through"),
    ),
  ),
  defaultOutboundAccess: v.optional(
    v.pipe(
      v.boolean(),
      v.description(
        "False: no implicit outbound address to the Internet; true when left out (a network made before API 2025-07-01)",
      ),
    ),
  ),
  privateEndpointNetworkPolicies: v.optional(
    v.pipe(
      v.picklist(PRIVATE_ENDPOINT_NETWORK_POLICIES),
      v.description(
        "Whether the subnet's NSG (Enabled, NetworkSecurityGroupEnabled) and routes (Enabled, RouteTableEnabled) apply to its private endpoints; Disabled when left out",
      ),
    ),
  ),
});

const routeSchema = closed({
  name: v.string(),
  ...readOnly,
  addressPrefix: v.pipe(
    v.string(),
    v.description("The destinations it matches: a CIDR block or a service tag"),
  ),
  nextHopType: v.pipe(
    v.picklist(NEXT_HOP_TYPES),
    v.description(
      "Where matching packets go: an appliance, a gateway, the Internet, the network, or dropped (None)",
    ),
  ),
  nextHopIpAddress: v.optional(
    v.pipe(v.string(), v.description("The appliance's private address (VirtualAppliance only)")),
  ),
  hasBgpOverride: v.optional(v.boolean()),
});

const natGatewaySchema = closed({
  name: v.string(),
  ...readOnly,
  location: v.optional(v.string()),
  tags: v.optional(mapping(v.record(v.string(), v.string()), "record")),
  sku: v.optional(
    v.pipe(
      v.union([v.literal("Standard"), closed({ name: v.literal("Standard") })]),
      v.transform(() => "Standard" as const),
    ),
  ),
  zones: v.optional(v.array(v.string())),
  publicIpAddresses: v.optional(
    v.pipe(
      v.array(resourceRef),
      v.description("Standard public IP resources the subnets leave for the Internet from"),
    ),
  ),
  publicIpPrefixes: v.optional(v.array(resourceRef)),
  idleTimeoutInMinutes: v.optional(int),
  /** Read-only in Azure's output: the subnets that name it (subnets say it themselves). */
  subnets: v.optional(v.unknown()),
});

const routeTableSchema = closed({
  name: v.string(),
  ...readOnly,
  location: v.optional(v.string()),
  tags: v.optional(mapping(v.record(v.string(), v.string()), "record")),
  routes: v.optional(v.array(routeSchema)),
  disableBgpRoutePropagation: v.optional(
    v.pipe(
      v.boolean(),
      v.description(
        "True keeps the routes a virtual network gateway learns (on-premises spaces) out of the subnets",
      ),
    ),
  ),
});

const virtualNetworkSchema = closed({
  name: v.string(),
  ...readOnly,
  location: v.optional(v.string()),
  addressSpace: closed({ addressPrefixes: v.array(v.string()) }),
  connectedAddressPrefixes: v.optional(
    v.pipe(
      v.array(v.string()),
      v.description(
        "On-premises address spaces reached through a gateway; part of the VirtualNetwork tag",
      ),
    ),
  ),
  subnets: v.optional(v.array(subnetSchema)),
  virtualNetworkPeerings: v.optional(
    v.array(
      closed({
        name: v.optional(v.string()),
        remoteVirtualNetwork: resourceRef,
        allowVirtualNetworkAccess: v.optional(
          v.pipe(
            v.boolean(),
            v.description(
              "Whether the remote network is part of this one's VirtualNetwork tag (default true); false does not stop traffic that rules allow by address",
            ),
          ),
        ),
        allowForwardedTraffic: v.optional(
          v.pipe(
            v.boolean(),
            v.description(
              "Whether traffic an appliance forwards may cross this peering (default false)",
            ),
          ),
        ),
        allowGatewayTransit: v.optional(
          v.pipe(
            v.boolean(),
            v.description("Whether the remote network may use this network's gateway"),
          ),
        ),
        useRemoteGateways: v.optional(
          v.pipe(
            v.boolean(),
            v.description(
              "Whether this network reaches on-premises through the remote network's gateway",
            ),
          ),
        ),
      }),
    ),
  ),
});

const publicEndpointRef = v.pipe(
  v.union([v.pipe(v.string(), v.minLength(1)), closed({ id: v.pipe(v.string(), v.minLength(1)) })]),
  v.description(
    "An IP address, or a public IP address resource by name or { id } (text that is an address is one)",
  ),
);

const skuName = v.picklist(PUBLIC_IP_SKUS);

const publicIPAddressSchema = closed({
  name: v.string(),
  ...readOnly,
  location: v.optional(v.string()),
  tags: v.optional(mapping(v.record(v.string(), v.string()), "record")),
  sku: v.pipe(
    v.union([
      skuName,
      closed({ name: skuName, tier: v.optional(v.picklist(["Regional", "Global"])) }),
    ]),
    v.description(
      "Basic (open to inbound traffic) or Standard (closed unless an NSG allows it), or ARM's { name, tier }",
    ),
    v.transform((sku) => (typeof sku === "string" ? sku : sku.name)),
  ),
  ipAddress: v.optional(
    v.pipe(
      v.string(),
      v.description("Its address when known; left out, it is assigned when deploying"),
    ),
  ),
  publicIPAllocationMethod: v.optional(v.picklist(ALLOCATION_METHODS)),
  publicIPAddressVersion: v.optional(v.picklist(IP_VERSIONS)),
  idleTimeoutInMinutes: v.optional(int),
  zones: v.optional(v.array(v.string())),
});

/** Read-only lists of references Azure prints on a load balancer's children; accepted and ignored. */
const backReferences = (...keys: string[]) =>
  Object.fromEntries(keys.map((k) => [k, v.optional(v.unknown())]));

const frontendIPConfigurationSchema = closed({
  name: v.string(),
  ...readOnly,
  publicIPAddress: v.optional(
    v.pipe(resourceRef, v.description("A public IP address resource: a public load balancer")),
  ),
  privateIPAddress: v.optional(v.string()),
  privateIPAllocationMethod: v.optional(v.picklist(ALLOCATION_METHODS)),
  privateIPAddressVersion: v.optional(v.picklist(IP_VERSIONS)),
  subnet: v.optional(
    v.pipe(resourceRef, v.description("Where a private frontend is: an internal load balancer")),
  ),
  zones: v.optional(v.array(v.string())),
  ...backReferences("inboundNatRules", "loadBalancingRules", "outboundRules", "inboundNatPools"),
});

const backendAddressPoolSchema = closed({
  name: v.string(),
  ...readOnly,
  loadBalancerBackendAddresses: v.optional(
    v.array(
      closed({
        name: v.optional(v.string()),
        ipAddress: v.string(),
        virtualNetwork: v.optional(resourceRef),
        subnet: v.optional(resourceRef),
      }),
    ),
  ),
  backendIPConfigurations: v.optional(
    v.pipe(
      v.array(resourceRef),
      v.description(
        "Its members as Azure prints them: IP configuration ids, NIC/CONFIG or NIC (its first); interfaces may name the pool instead",
      ),
    ),
  ),
  location: v.optional(v.string()),
  ...backReferences("loadBalancingRules", "inboundNatRules", "outboundRule", "outboundRules"),
});

const port = v.pipe(int, v.minValue(0), v.maxValue(65535));
const lbProtocol = v.picklist(LOAD_BALANCER_PROTOCOLS);

const loadBalancingRuleSchema = closed({
  name: v.string(),
  ...readOnly,
  frontendIPConfiguration: resourceRef,
  backendAddressPool: v.optional(resourceRef),
  backendAddressPools: v.optional(v.array(resourceRef)),
  probe: v.optional(resourceRef),
  protocol: lbProtocol,
  frontendPort: v.pipe(port, v.description("0 with protocol All: every port (HA ports)")),
  backendPort: v.optional(
    v.pipe(port, v.description("The port on the backends; defaults to frontendPort")),
  ),
  enableFloatingIP: v.optional(v.boolean()),
  disableOutboundSnat: v.optional(v.boolean()),
  idleTimeoutInMinutes: v.optional(int),
  loadDistribution: v.optional(v.string()),
  enableTcpReset: v.optional(v.boolean()),
});

const inboundNatRuleSchema = closed({
  name: v.string(),
  ...readOnly,
  frontendIPConfiguration: resourceRef,
  protocol: lbProtocol,
  frontendPort: v.optional(v.pipe(port, v.description("v1: the one port forwarded"))),
  frontendPortRangeStart: v.optional(
    v.pipe(port, v.description("v2: the first of the ports mapped, one per backend of the pool")),
  ),
  frontendPortRangeEnd: v.optional(port),
  backendAddressPool: v.optional(resourceRef),
  backendIPConfiguration: v.optional(
    v.pipe(
      resourceRef,
      v.description("v1: the IP configuration it forwards to, as Azure prints it"),
    ),
  ),
  backendPort: port,
  enableFloatingIP: v.optional(v.boolean()),
  idleTimeoutInMinutes: v.optional(int),
  enableTcpReset: v.optional(v.boolean()),
});

const inboundNatPoolSchema = closed({
  name: v.string(),
  ...readOnly,
  frontendIPConfiguration: resourceRef,
  protocol: lbProtocol,
  frontendPortRangeStart: v.pipe(
    port,
    v.description("The first frontend port; each scale set instance naming the pool takes one"),
  ),
  frontendPortRangeEnd: port,
  backendPort: port,
  enableFloatingIP: v.optional(v.boolean()),
  idleTimeoutInMinutes: v.optional(int),
  enableTcpReset: v.optional(v.boolean()),
});

const outboundRuleSchema = closed({
  name: v.string(),
  ...readOnly,
  frontendIPConfigurations: v.pipe(
    v.array(resourceRef),
    v.description("The public frontends the pool's hosts leave for the Internet from"),
  ),
  backendAddressPool: resourceRef,
  protocol: lbProtocol,
  allocatedOutboundPorts: v.optional(int),
  idleTimeoutInMinutes: v.optional(int),
  enableTcpReset: v.optional(v.boolean()),
});

const probeSchema = closed({
  name: v.string(),
  ...readOnly,
  protocol: v.picklist(PROBE_PROTOCOLS),
  port,
  requestPath: v.optional(v.string()),
  intervalInSeconds: v.optional(int),
  numberOfProbes: v.optional(int),
  probeThreshold: v.optional(int),
  ...backReferences("loadBalancingRules"),
});

const lbSkuName = v.picklist(LOAD_BALANCER_SKUS);

const loadBalancerSchema = closed({
  name: v.string(),
  ...readOnly,
  location: v.optional(v.string()),
  tags: v.optional(mapping(v.record(v.string(), v.string()), "record")),
  sku: v.pipe(
    v.union([
      lbSkuName,
      closed({ name: lbSkuName, tier: v.optional(v.picklist(["Regional", "Global"])) }),
    ]),
    v.description(
      "Basic (open to inbound traffic) or Standard (closed unless an NSG allows it), or ARM's { name, tier }",
    ),
    v.transform((sku) => (typeof sku === "string" ? sku : sku.name)),
  ),
  frontendIPConfigurations: v.array(frontendIPConfigurationSchema),
  backendAddressPools: v.optional(v.array(backendAddressPoolSchema)),
  loadBalancingRules: v.optional(v.array(loadBalancingRuleSchema)),
  inboundNatRules: v.optional(v.array(inboundNatRuleSchema)),
  inboundNatPools: v.optional(
    v.pipe(
      v.array(inboundNatPoolSchema),
      v.description("Port ranges that scale sets' IP configurations take one port of per instance"),
    ),
  ),
  probes: v.optional(v.array(probeSchema)),
  outboundRules: v.optional(v.array(outboundRuleSchema)),
});

const privateLinkServiceConnectionSchema = closed({
  name: v.optional(v.string()),
  ...readOnly,
  privateLinkServiceId: v.pipe(
    v.string(),
    v.description("The id of the resource (or private link service) the endpoint reaches"),
  ),
  groupIds: v.optional(
    v.pipe(
      v.array(v.string()),
      v.description("The target's sub-resources: blob, sqlServer, vault…"),
    ),
  ),
  requestMessage: v.optional(v.string()),
  privateLinkServiceConnectionState: v.optional(v.unknown()),
});

const privateEndpointSchema = closed({
  name: v.string(),
  ...readOnly,
  location: v.optional(v.string()),
  tags: v.optional(mapping(v.record(v.string(), v.string()), "record")),
  subnet: resourceRef,
  privateIPAddress: v.optional(
    v.pipe(
      v.string(),
      v.description("Its private address; left out, some free host of the subnet (Dynamic)"),
    ),
  ),
  privateLinkServiceConnections: v.optional(v.array(privateLinkServiceConnectionSchema)),
  manualPrivateLinkServiceConnections: v.optional(v.array(privateLinkServiceConnectionSchema)),
  customNetworkInterfaceName: v.optional(v.string()),
});

const bastionHostSchema = closed({
  name: v.string(),
  ...readOnly,
  location: v.optional(v.string()),
  tags: v.optional(mapping(v.record(v.string(), v.string()), "record")),
  sku: v.optional(
    v.pipe(
      v.union([v.picklist(BASTION_SKUS), closed({ name: v.picklist(BASTION_SKUS) })]),
      v.description("Basic, Standard or Premium (Basic when left out), or { name }"),
      v.transform((sku) => (typeof sku === "string" ? sku : sku.name)),
    ),
  ),
  ipConfigurations: v.array(
    closed({
      name: v.optional(v.string()),
      ...readOnly,
      subnet: v.pipe(resourceRef, v.description("The network's AzureBastionSubnet")),
      publicIPAddress: v.optional(
        v.pipe(
          resourceRef,
          v.description("A Standard public IP: users reach Bastion on it, on 443"),
        ),
      ),
      privateIPAllocationMethod: v.optional(v.picklist(ALLOCATION_METHODS)),
    }),
  ),
  scaleUnits: v.optional(int),
  disableCopyPaste: v.optional(v.boolean()),
  enableFileCopy: v.optional(v.boolean()),
  enableIpConnect: v.optional(v.boolean()),
  enableShareableLink: v.optional(v.boolean()),
  enableTunneling: v.optional(v.boolean()),
  enableKerberos: v.optional(v.boolean()),
  dnsName: v.optional(v.string()),
});

const agwProtocol = v.picklist(APPLICATION_GATEWAY_PROTOCOLS);
const agwTier = v.picklist(APPLICATION_GATEWAY_TIERS);

const applicationGatewaySchema = closed({
  name: v.string(),
  ...readOnly,
  location: v.optional(v.string()),
  tags: v.optional(mapping(v.record(v.string(), v.string()), "record")),
  sku: v.pipe(
    v.union([
      agwTier,
      closed({ name: v.optional(v.string()), tier: agwTier, capacity: v.optional(int) }),
    ]),
    v.description(
      "The tier (Standard and WAF are v1; Standard_v2, WAF_v2 and Basic are v2), or ARM's { name, tier, capacity }",
    ),
    v.transform((sku) => (typeof sku === "string" ? { tier: sku } : sku)),
  ),
  gatewayIPConfigurations: v.pipe(
    v.array(closed({ name: v.string(), ...readOnly, subnet: resourceRef })),
    v.description("The one subnet its instances sit in, dedicated to application gateways"),
  ),
  frontendIPConfigurations: v.array(
    closed({
      name: v.string(),
      ...readOnly,
      publicIPAddress: v.optional(resourceRef),
      privateIPAddress: v.optional(v.string()),
      privateIPAllocationMethod: v.optional(v.picklist(ALLOCATION_METHODS)),
      subnet: v.optional(
        v.pipe(resourceRef, v.description("A private frontend's subnet: the gateway's own")),
      ),
      ...backReferences("httpListeners"),
    }),
  ),
  frontendPorts: v.array(
    closed({ name: v.string(), ...readOnly, port, ...backReferences("httpListeners") }),
  ),
  httpListeners: v.optional(
    v.array(
      closed({
        name: v.string(),
        ...readOnly,
        frontendIPConfiguration: resourceRef,
        frontendPort: resourceRef,
        protocol: agwProtocol,
        hostName: v.optional(v.string()),
        hostNames: v.optional(v.array(v.string())),
        ...backReferences("sslCertificate", "requireServerNameIndication", "requestRoutingRules"),
      }),
    ),
  ),
  backendAddressPools: v.optional(
    v.array(
      closed({
        name: v.string(),
        ...readOnly,
        backendAddresses: v.optional(
          v.array(closed({ ipAddress: v.optional(v.string()), fqdn: v.optional(v.string()) })),
        ),
        backendIPConfigurations: v.optional(
          v.pipe(
            v.array(resourceRef),
            v.description(
              "Its members as Azure prints them: IP configuration ids, NIC/CONFIG or NIC (its first); interfaces may name the pool instead",
            ),
          ),
        ),
        ...backReferences("requestRoutingRules"),
      }),
    ),
  ),
  backendHttpSettingsCollection: v.optional(
    v.array(
      closed({
        name: v.string(),
        ...readOnly,
        port,
        protocol: agwProtocol,
        cookieBasedAffinity: v.optional(v.string()),
        requestTimeout: v.optional(int),
        ...backReferences(
          "requestRoutingRules",
          "probe",
          "hostName",
          "pickHostNameFromBackendAddress",
        ),
      }),
    ),
  ),
  requestRoutingRules: v.optional(
    v.array(
      closed({
        name: v.string(),
        ...readOnly,
        ruleType: v.optional(v.string()),
        priority: v.optional(int),
        httpListener: resourceRef,
        backendAddressPool: v.optional(resourceRef),
        backendHttpSettings: v.optional(resourceRef),
        redirectConfiguration: v.optional(
          v.pipe(
            resourceRef,
            v.description("A redirection: the gateway answers, no backend is called"),
          ),
        ),
      }),
    ),
  ),
});

const networkInterfaceSchema = closed({
  name: v.string(),
  ...readOnly,
  location: v.optional(v.string()),
  networkSecurityGroup: v.optional(resourceRef),
  ipConfigurations: v.array(
    closed({
      name: v.optional(v.string()),
      privateIPAddress: v.optional(
        v.pipe(v.string(), v.description("Its private address; required unless Dynamic")),
      ),
      privateIPAllocationMethod: v.optional(
        v.pipe(
          v.picklist(ALLOCATION_METHODS),
          v.description(
            "Dynamic without privateIPAddress: some free host of the subnet, which Azure assigns",
          ),
        ),
      ),
      privateIPAddressVersion: v.optional(v.picklist(IP_VERSIONS)),
      publicIPAddress: v.optional(publicEndpointRef),
      subnet: resourceRef,
      applicationSecurityGroups: v.optional(v.array(resourceRef)),
      loadBalancerBackendAddressPools: v.optional(
        v.pipe(
          v.array(resourceRef),
          v.description("Load balancer backend pools it joins: { id }, or LOADBALANCER/POOL"),
        ),
      ),
      loadBalancerInboundNatRules: v.optional(
        v.pipe(
          v.array(resourceRef),
          v.description("Inbound NAT rules (v1) that forward to it: { id }, or LOADBALANCER/RULE"),
        ),
      ),
      applicationGatewayBackendAddressPools: v.optional(
        v.pipe(
          v.array(resourceRef),
          v.description("Application gateway backend pools it joins: { id }, or GATEWAY/POOL"),
        ),
      ),
    }),
  ),
});

const scaleSetIpConfigurationSchema = closed({
  name: v.string(),
  ...readOnly,
  primary: v.optional(v.boolean()),
  subnet: resourceRef,
  privateIPAddressVersion: v.optional(v.picklist(IP_VERSIONS)),
  publicIPAddressConfiguration: v.optional(
    v.pipe(
      closed({
        name: v.string(),
        sku: v.optional(
          v.pipe(
            v.union([
              skuName,
              closed({ name: skuName, tier: v.optional(v.picklist(["Regional", "Global"])) }),
            ]),
            v.transform((sku) => (typeof sku === "string" ? sku : sku.name)),
          ),
        ),
        publicIPAddressVersion: v.optional(v.picklist(IP_VERSIONS)),
        idleTimeoutInMinutes: v.optional(int),
        dnsSettings: v.optional(v.unknown()),
        deleteOption: v.optional(v.string()),
      }),
      v.description(
        "A public address of its own for each instance (not a public IP resource; Basic when no SKU is given)",
      ),
    ),
  ),
  applicationSecurityGroups: v.optional(v.array(resourceRef)),
  loadBalancerBackendAddressPools: v.optional(
    v.pipe(
      v.array(resourceRef),
      v.description("Load balancer backend pools the instances join: { id }, or LOADBALANCER/POOL"),
    ),
  ),
  loadBalancerInboundNatPools: v.optional(
    v.pipe(
      v.array(resourceRef),
      v.description(
        "Inbound NAT pools that give each instance a frontend port: { id }, or LOADBALANCER/POOL",
      ),
    ),
  ),
  applicationGatewayBackendAddressPools: v.optional(v.array(resourceRef)),
});

const virtualMachineScaleSetSchema = closed({
  name: v.string(),
  ...readOnly,
  location: v.optional(v.string()),
  tags: v.optional(mapping(v.record(v.string(), v.string()), "record")),
  orchestrationMode: v.optional(v.picklist(ORCHESTRATION_MODES)),
  sku: v.optional(
    closed({
      name: v.optional(v.string()),
      tier: v.optional(v.string()),
      capacity: v.optional(
        v.pipe(int, v.minValue(0), v.description("How many instances; each takes a NAT pool port")),
      ),
    }),
  ),
  networkProfile: closed({
    networkInterfaceConfigurations: v.array(
      closed({
        name: v.string(),
        ...readOnly,
        primary: v.optional(v.boolean()),
        networkSecurityGroup: v.optional(resourceRef),
        enableIPForwarding: v.optional(v.boolean()),
        enableAcceleratedNetworking: v.optional(v.boolean()),
        deleteOption: v.optional(v.string()),
        dnsSettings: v.optional(v.unknown()),
        ipConfigurations: v.array(scaleSetIpConfigurationSchema),
      }),
    ),
    healthProbe: v.optional(v.unknown()),
    networkApiVersion: v.optional(v.string()),
  }),
});

export const environmentSchema = closed({
  name: v.string(),
  kind: v.picklist(ENVIRONMENT_KINDS),
  description: v.optional(v.string()),
  subnet: v.optional(resourceRef),
  privateIPAddress: v.optional(v.string()),
  networkInterface: v.optional(resourceRef),
  publicIPAddress: v.optional(
    v.pipe(
      publicEndpointRef,
      v.description(
        "The public address callers from outside reach it at: an address, or a public IP address resource",
      ),
    ),
  ),
  outboundIPAddress: v.optional(
    v.pipe(
      v.string(),
      v.description(
        "The address it presents when it calls outside its network; defaults to publicIPAddress",
      ),
    ),
  ),
  ingress: v.optional(
    v.pipe(
      v.picklist(["External", "Internal"]),
      v.description(
        "External: callers always reach it on its public address (default for ASEs with one)",
      ),
    ),
  ),
  privateIPAllocationMethod: v.optional(
    v.pipe(
      v.picklist(ALLOCATION_METHODS),
      v.description(
        "Dynamic, with no privateIPAddress: some free host of its subnet, assigned when deploying",
      ),
    ),
  ),
  publicIPAllocationMethod: v.optional(
    v.pipe(
      v.picklist(ALLOCATION_METHODS),
      v.description(
        "Dynamic: the public addresses the platform assigns it and the spec does not give (its inbound and outbound addresses) are not known, and shown as <name>",
      ),
    ),
  ),
});

const ASSERTION_KINDS = ["flow", "reach", "isolate", "onlyFrom", "exposure"] as const;

const trafficFields = {
  protocol: v.optional(
    v.pipe(
      v.string(),
      v.description("Tcp, Udp, Icmp, Esp or Ah; for set assertions also * (the default)"),
    ),
  ),
  ports: v.optional(
    v.pipe(
      v.array(v.union([int, v.string()])),
      v.description('Destination ports; set assertions also take ranges such as "1000-2000"'),
    ),
  ),
};

export const assertionSchema = closed({
  name: v.optional(v.string()),
  kind: v.optional(
    v.pipe(
      v.picklist(ASSERTION_KINDS),
      v.description(
        "flow (default): one concrete flow and its expected outcome. Over every packet: reach (all allowed), isolate (none allowed), onlyFrom (only the listed callers get in), exposure (what the Internet reaches stays within)",
      ),
    ),
  ),
  from: v.optional(
    v.pipe(
      v.union([v.string(), v.array(v.string())]),
      v.description(
        "An environment, network interface, subnet, service tag or address; for reach, isolate and onlyFrom also an ASG (asg:NAME), a CIDR, or a list of these",
      ),
    ),
  ),
  to: v.pipe(
    v.union([v.string(), v.array(v.string())]),
    v.description(
      "An environment, network interface, subnet, service tag or address; for reach, isolate, onlyFrom and exposure also an ASG (asg:NAME), a CIDR, or a list of these",
    ),
  ),
  ...trafficFields,
  port: v.optional(v.pipe(int, v.description("Destination port"))),
  sourcePort: v.optional(int),
  expect: v.optional(
    v.pipe(v.picklist(["Allow", "Deny"]), v.description("For a flow: its expected outcome")),
  ),
  rule: v.optional(
    v.pipe(
      v.string(),
      v.description("For a flow: the rule expected to decide, e.g. securityRules/NAME"),
    ),
  ),
  within: v.optional(
    v.pipe(
      v.array(closed({ ...trafficFields, source: v.optional(v.string()) })),
      v.description("For exposure: the traffic the Internet may reach"),
    ),
  ),
});

const allowanceSchema = closed({
  source: v.pipe(v.string(), v.description("A CIDR, an address or a service tag")),
  ...trafficFields,
});

export const tierSchema = closed({
  name: v.string(),
  description: v.optional(v.string()),
  environments: v.pipe(v.array(v.string()), v.description("The environments of this tier")),
  callers: v.optional(
    v.pipe(v.array(v.string()), v.description("Tiers or environments that may call it")),
  ),
  protocol: v.optional(v.pipe(v.string(), v.description("Tcp (the default), Udp or *"))),
  ports: v.optional(
    v.pipe(v.array(v.union([int, v.string()])), v.description("Ports callers may call it on")),
  ),
  selfCalls: v.optional(
    v.pipe(
      v.boolean(),
      v.description("Whether it calls itself (the default for App Service Environments)"),
    ),
  ),
  allow: v.optional(
    v.pipe(
      v.array(allowanceSchema),
      v.description("Other sources it accepts: a CIDR, an address or a service tag"),
    ),
  ),
  egress: v.optional(
    v.pipe(
      v.array(
        closed({
          to: v.pipe(v.string(), v.description("A tier, an environment, a CIDR or a service tag")),
          ...trafficFields,
        }),
      ),
      v.description("If given, the only destinations it may call out to"),
    ),
  ),
});

/**
 * What the import that wrote the spec could not read, each item something whose
 * absence could let through traffic the source denies (`tierwall import
 * --allow-partial`): analyses of the spec answer for what it holds only.
 */
/** A lint finding accepted on review: its check, where, why, and until when. */
const suppressionSchema = closed({
  check: v.pipe(v.string(), v.description("The id of the lint check, such as ShadowedRule")),
  at: v.optional(
    v.pipe(
      v.string(),
      v.description(
        "The resource by names from the top: NSG, NSG/RULE, an environment; every resource when left out",
      ),
    ),
  ),
  reason: v.pipe(
    v.string(),
    v.trim(),
    v.minLength(1, "a suppression needs a reason"),
    v.description("Why the finding is accepted, for the next reviewer"),
  ),
  expires: v.pipe(
    v.string(),
    v.isoDate("expected a date as YYYY-MM-DD"),
    v.description(
      "The last day the suppression holds (YYYY-MM-DD); from the day after, the finding counts again",
    ),
  ),
});

const partialItemSchema = closed({
  what: v.pipe(v.string(), v.description("What is missing: a rule, an association, a resource")),
  why: v.pipe(v.string(), v.description("Why the import could not read it")),
  source: v.optional(
    v.pipe(v.string(), v.description("Where it is in the imported file: file:line:column")),
  ),
});

export const specSchema = v.pipe(
  closed({
    $schema: v.optional(v.string()),
    description: v.optional(v.string()),
    serviceTags: v.optional(
      v.pipe(
        v.union([v.string(), mapping(v.looseObject({ values: v.array(v.unknown()) }))]),
        v.description("Path of a service-tags JSON file as Azure publishes it, or its content"),
      ),
    ),
    virtualNetworks: v.optional(v.array(virtualNetworkSchema)),
    networkSecurityGroups: v.optional(v.array(networkSecurityGroupSchema)),
    applicationSecurityGroups: v.optional(
      v.array(closed({ name: v.string(), ...readOnly, location: v.optional(v.string()) })),
    ),
    publicIPAddresses: v.optional(v.array(publicIPAddressSchema)),
    routeTables: v.optional(
      v.pipe(
        v.array(routeTableSchema),
        v.description("Routes that subnets follow besides Azure's system routes"),
      ),
    ),
    networkInterfaces: v.optional(v.array(networkInterfaceSchema)),
    loadBalancers: v.optional(v.array(loadBalancerSchema)),
    applicationGateways: v.optional(
      v.pipe(
        v.array(applicationGatewaySchema),
        v.description(
          "Application gateways: proxies whose listeners send requests on to backend pools from the gateway's own subnet",
        ),
      ),
    ),
    virtualMachineScaleSets: v.optional(
      v.pipe(
        v.array(virtualMachineScaleSetSchema),
        v.description(
          "Scale sets: each network interface configuration stands for every instance (vmss:NAME), a Dynamic host of its subnet",
        ),
      ),
    ),
    natGateways: v.optional(
      v.pipe(
        v.array(natGatewaySchema),
        v.description("NAT gateways: the public addresses subnets leave for the Internet from"),
      ),
    ),
    privateEndpoints: v.optional(
      v.pipe(
        v.array(privateEndpointSchema),
        v.description(
          "Private endpoints: addresses in a subnet that reach a resource through Private Link",
        ),
      ),
    ),
    bastionHosts: v.optional(
      v.pipe(
        v.array(bastionHostSchema),
        v.description(
          "Azure Bastion hosts: reached on 443 from the Internet, they reach VMs on 22 and 3389",
        ),
      ),
    ),
    environments: v.optional(v.array(environmentSchema)),
    assertions: v.optional(v.array(assertionSchema)),
    suppressions: v.optional(
      v.pipe(
        v.array(suppressionSchema),
        v.description("Lint findings accepted on review, each with a reason and an expiry date"),
      ),
    ),
    tiers: v.optional(
      v.pipe(
        v.array(tierSchema),
        v.description("Who may call whom: what tierwall synth turns into NSG rules"),
      ),
    ),
    partial: v.optional(
      v.pipe(
        v.array(partialItemSchema),
        v.description(
          "What the import that wrote this spec could not read; the policy may deny more than the spec says",
        ),
      ),
    ),
  }),
  v.description(
    "A tierwall spec: a deployment's networks, NSGs and environments, and flows it must allow or deny",
  ),
);

export type SpecDocument = v.InferOutput<typeof specSchema>;
export type SecurityRuleDocument = v.InferOutput<typeof securityRuleSchema>;
export type PartialItem = v.InferOutput<typeof partialItemSchema>;

/**
 * Every property name the schema knows, to suggest the intended one for a
 * typo: the keys of every object schema in it, found by walking the schema
 * objects (objects through `entries`, lists through `item`, unions through
 * `options`, optional values through `wrapped`, pipes through `pipe`).
 */
export function knownPropertyNames(): string[] {
  const names = new Set<string>();
  const seen = new Set<object>();
  const walk = (value: unknown): void => {
    if (typeof value !== "object" || value === null || seen.has(value)) return;
    seen.add(value);
    if (Array.isArray(value)) {
      for (const item of value) walk(item);
      return;
    }
    const schema = value as {
      entries?: object;
      item?: unknown;
      options?: unknown;
      wrapped?: unknown;
      pipe?: unknown;
    };
    if (schema.entries) {
      for (const key of Object.keys(schema.entries)) names.add(key);
      for (const entry of Object.values(schema.entries)) walk(entry);
    }
    for (const inner of [schema.item, schema.options, schema.wrapped, schema.pipe]) walk(inner);
  };
  walk(specSchema);
  return [...names];
}
