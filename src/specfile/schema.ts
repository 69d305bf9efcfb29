import { z } from "zod";
import { ENVIRONMENT_KINDS } from "../model/types.js";

/*
 * The spec file's shape. Property names are ARM's, so that what
 * `az network nsg show` prints can be pasted in; a rule's fields may sit at the
 * top level (as the CLI prints them) or under `properties` (as ARM templates
 * write them). Unknown keys are errors: a typo must never weaken a policy.
 * Values are checked against Azure's rules later (model/), with all problems reported.
 */

const resourceRef = z
  .union([z.string().min(1), z.strictObject({ id: z.string().min(1) })])
  .describe("A resource name, or { id } with an ARM resource id");

/** Read-only fields that Azure's outputs carry; accepted and ignored. */
const readOnly = {
  id: z.string().optional(),
  etag: z.string().optional(),
  type: z.string().optional(),
  provisioningState: z.string().optional(),
  resourceGroup: z.string().optional(),
};

/** A port or range; a bare YAML number (443) is read as the text Azure expects ("443"). */
const portText = z
  .union([z.string(), z.number().int()])
  .transform((v) => String(v))
  .describe("A port, a range a-b, or *");

const ruleFields = {
  description: z.string().optional(),
  protocol: z.string().describe("Tcp, Udp, Icmp, Esp, Ah or *").optional(),
  access: z.string().describe("Allow or Deny").optional(),
  priority: z.number().int().describe("100-4096; lower is evaluated first").optional(),
  direction: z.string().describe("Inbound or Outbound").optional(),
  sourceAddressPrefix: z.string().optional(),
  sourceAddressPrefixes: z.array(z.string()).optional(),
  sourceApplicationSecurityGroups: z.array(resourceRef).optional(),
  sourcePortRange: portText.optional(),
  sourcePortRanges: z.array(portText).optional(),
  destinationAddressPrefix: z.string().optional(),
  destinationAddressPrefixes: z.array(z.string()).optional(),
  destinationApplicationSecurityGroups: z.array(resourceRef).optional(),
  destinationPortRange: portText.optional(),
  destinationPortRanges: z.array(portText).optional(),
};

export const RULE_FIELDS = Object.keys(ruleFields) as (keyof typeof ruleFields)[];

export const securityRuleSchema = z.strictObject({
  name: z.string(),
  ...readOnly,
  ...ruleFields,
  properties: z
    .strictObject({ ...ruleFields, provisioningState: z.string().optional() })
    .optional(),
});

export const networkSecurityGroupSchema = z.strictObject({
  name: z.string(),
  ...readOnly,
  location: z.string().optional(),
  tags: z.record(z.string(), z.string()).optional(),
  resourceGuid: z.string().optional(),
  flushConnection: z.boolean().optional(),
  securityRules: z.array(securityRuleSchema).optional(),
  defaultSecurityRules: z
    .array(z.unknown())
    .describe("Read-only in Azure's output; tierwall always applies the six default rules")
    .optional(),
});

const subnetSchema = z.strictObject({
  name: z.string(),
  ...readOnly,
  addressPrefix: z.string().optional(),
  addressPrefixes: z.array(z.string()).optional(),
  networkSecurityGroup: resourceRef.optional(),
});

const virtualNetworkSchema = z.strictObject({
  name: z.string(),
  ...readOnly,
  location: z.string().optional(),
  addressSpace: z.strictObject({ addressPrefixes: z.array(z.string()) }),
  connectedAddressPrefixes: z
    .array(z.string())
    .describe(
      "On-premises address spaces reached through a gateway; part of the VirtualNetwork tag",
    )
    .optional(),
  subnets: z.array(subnetSchema).optional(),
  virtualNetworkPeerings: z
    .array(z.strictObject({ name: z.string().optional(), remoteVirtualNetwork: resourceRef }))
    .optional(),
});

const networkInterfaceSchema = z.strictObject({
  name: z.string(),
  ...readOnly,
  location: z.string().optional(),
  networkSecurityGroup: resourceRef.optional(),
  ipConfigurations: z.array(
    z.strictObject({
      name: z.string().optional(),
      privateIPAddress: z.string(),
      publicIPAddress: z
        .string()
        .describe("The public address associated with it, if any")
        .optional(),
      subnet: resourceRef,
      applicationSecurityGroups: z.array(resourceRef).optional(),
    }),
  ),
});

const environmentSchema = z.strictObject({
  name: z.string(),
  kind: z.enum(ENVIRONMENT_KINDS),
  description: z.string().optional(),
  subnet: resourceRef.optional(),
  privateIPAddress: z.string().optional(),
  networkInterface: resourceRef.optional(),
  publicIPAddress: z
    .string()
    .describe("The public address callers from outside reach it at")
    .optional(),
  outboundIPAddress: z
    .string()
    .describe(
      "The address it presents when it calls outside its network; defaults to publicIPAddress",
    )
    .optional(),
  ingress: z
    .enum(["External", "Internal"])
    .describe("External: callers always reach it on its public address (default for ASEs with one)")
    .optional(),
});

const port = z.number().int();

const ASSERTION_KINDS = ["flow", "reach", "isolate", "onlyFrom", "exposure"] as const;

const trafficFields = {
  protocol: z
    .string()
    .describe("Tcp, Udp, Icmp, Esp or Ah; for set assertions also * (the default)")
    .optional(),
  ports: z
    .array(z.union([port, z.string()]))
    .describe('Destination ports; set assertions also take ranges such as "1000-2000"')
    .optional(),
};

const assertionSchema = z.strictObject({
  name: z.string().optional(),
  kind: z
    .enum(ASSERTION_KINDS)
    .describe(
      "flow (default): one concrete flow and its expected outcome. Over every packet: reach (all allowed), isolate (none allowed), onlyFrom (only the listed callers get in), exposure (what the Internet reaches stays within)",
    )
    .optional(),
  from: z
    .union([z.string(), z.array(z.string())])
    .describe(
      "An environment, network interface, subnet, service tag or address; a list for onlyFrom",
    )
    .optional(),
  to: z.string().describe("An environment, network interface, subnet, service tag or address"),
  ...trafficFields,
  port: port.describe("Destination port").optional(),
  sourcePort: port.optional(),
  expect: z.enum(["Allow", "Deny"]).describe("For a flow: its expected outcome").optional(),
  rule: z
    .string()
    .describe("For a flow: the rule expected to decide, e.g. securityRules/NAME")
    .optional(),
  within: z
    .array(z.strictObject({ ...trafficFields, source: z.string().optional() }))
    .describe("For exposure: the traffic the Internet may reach")
    .optional(),
});

const allowanceSchema = z.strictObject({
  source: z.string().describe("A CIDR, an address or a service tag"),
  ...trafficFields,
});

const tierSchema = z.strictObject({
  name: z.string(),
  description: z.string().optional(),
  environments: z.array(z.string()).describe("The environments of this tier"),
  callers: z.array(z.string()).describe("Tiers or environments that may call it").optional(),
  protocol: z.string().describe("Tcp (the default), Udp or *").optional(),
  ports: z
    .array(z.union([port, z.string()]))
    .describe("Ports callers may call it on")
    .optional(),
  selfCalls: z
    .boolean()
    .describe("Whether it calls itself (the default for App Service Environments)")
    .optional(),
  allow: z
    .array(allowanceSchema)
    .describe("Other sources it accepts: a CIDR, an address or a service tag")
    .optional(),
  egress: z
    .array(
      z.strictObject({
        to: z.string().describe("A tier, an environment, a CIDR or a service tag"),
        ...trafficFields,
      }),
    )
    .describe("If given, the only destinations it may call out to")
    .optional(),
});

export const specSchema = z
  .strictObject({
    $schema: z.string().optional(),
    description: z.string().optional(),
    serviceTags: z
      .union([z.string(), z.strictObject({ values: z.array(z.unknown()) }).loose()])
      .describe("Path of a service-tags JSON file as Azure publishes it, or its content")
      .optional(),
    virtualNetworks: z.array(virtualNetworkSchema).optional(),
    networkSecurityGroups: z.array(networkSecurityGroupSchema).optional(),
    applicationSecurityGroups: z
      .array(z.strictObject({ name: z.string(), ...readOnly, location: z.string().optional() }))
      .optional(),
    networkInterfaces: z.array(networkInterfaceSchema).optional(),
    environments: z.array(environmentSchema).optional(),
    assertions: z.array(assertionSchema).optional(),
    tiers: z
      .array(tierSchema)
      .describe("Who may call whom: what tierwall synth turns into NSG rules")
      .optional(),
  })
  .describe(
    "A tierwall spec: a deployment's networks, NSGs and environments, and flows it must allow or deny",
  );

export type SpecDocument = z.infer<typeof specSchema>;
export type SecurityRuleDocument = z.infer<typeof securityRuleSchema>;

/** The JSON Schema of the spec file, for editors. */
export function specJsonSchema(): unknown {
  return z.toJSONSchema(specSchema, { target: "draft-2020-12", io: "input" });
}

/** Every property name the schema knows, to suggest the intended one for a typo. */
export function knownPropertyNames(): string[] {
  const names = new Set<string>();
  const walk = (value: unknown, depth: number): void => {
    if (depth > 12 || typeof value !== "object" || value === null) return;
    if (Array.isArray(value)) {
      for (const v of value) walk(v, depth + 1);
      return;
    }
    const record = value as Record<string, unknown>;
    if (record.properties && typeof record.properties === "object")
      for (const key of Object.keys(record.properties)) names.add(key);
    for (const v of Object.values(record)) walk(v, depth + 1);
  };
  walk(specJsonSchema(), 0);
  return [...names];
}
