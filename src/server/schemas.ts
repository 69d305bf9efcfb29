/**
 * The JSON schemas of the API's requests and errors: Fastify checks each
 * request's shape against them before a handler runs (the model then checks
 * what they mean, as the CLI does), and the OpenAPI document served at
 * /openapi.json is generated from the same schemas. Shapes only, kept loose
 * where the handler gives Azure's own, more precise error (a missing
 * `location` is LocationRequired, not a schema error).
 */
import { toJsonSchema } from "@valibot/to-json-schema";
import * as v from "valibot";
import { assertionSchema, environmentSchema, tierSchema } from "../specfile/schema.js";

const API_VERSION = {
  type: "object",
  properties: {
    "api-version": {
      type: "string",
      description: "Azure's API version, such as 2024-05-01 (2017-01-01 to 2025-05-01 are taken)",
    },
  },
} as const;

const object = (description: string, properties: object = {}) => ({
  type: "object",
  description,
  properties,
});

const reference = { type: "object", properties: { id: { type: "string" } } } as const;

/** ARM's error envelope, as every 4xx and 5xx answer carries it. */
export const armErrorSchema = {
  type: "object",
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: {
        code: { type: "string" },
        message: { type: "string" },
        target: { type: "string" },
        details: {
          type: "array",
          items: {
            type: "object",
            properties: {
              code: { type: "string" },
              message: { type: "string" },
              target: { type: "string" },
              additionalInfo: {
                type: "array",
                items: {
                  type: "object",
                  properties: {
                    type: { type: "string" },
                    info: { type: "object", additionalProperties: true },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
} as const;

/** A top-level resource's PUT body: location, tags, and its type's properties. */
export function resourceBody(description: string, properties: object) {
  return {
    type: "object",
    description,
    properties: {
      location: { type: "string", description: "The Azure region" },
      tags: { type: "object", additionalProperties: { type: "string" } },
      properties: object("The resource's properties", properties),
    },
  };
}

/**
 * A rule's fields, described but not typed here: the model checks them and
 * answers as the CLI does (InvalidPropertyType, SecurityRuleInvalidPriority...).
 */
const securityRuleProperties = {
  protocol: { description: "Tcp, Udp, Icmp, Esp, Ah or * (a string)" },
  sourceAddressPrefix: { description: "An address, CIDR, service tag or * (a string)" },
  sourceAddressPrefixes: { description: "Addresses and CIDRs (a list of strings)" },
  sourceApplicationSecurityGroups: { description: "ASGs, each { id } (a list)" },
  sourcePortRange: { description: "A port, a range or * (a string)" },
  sourcePortRanges: { description: "Ports and ranges (a list of strings)" },
  destinationAddressPrefix: { description: "An address, CIDR, service tag or * (a string)" },
  destinationAddressPrefixes: { description: "Addresses and CIDRs (a list of strings)" },
  destinationApplicationSecurityGroups: { description: "ASGs, each { id } (a list)" },
  destinationPortRange: { description: "A port, a range or * (a string)" },
  destinationPortRanges: { description: "Ports and ranges (a list of strings)" },
  access: { description: "Allow or Deny (a string)" },
  priority: { description: "100 to 4096, lower evaluated first (an integer)" },
  direction: { description: "Inbound or Outbound (a string)" },
  description: { description: "Free text (a string)" },
};

export const securityRuleBody = {
  type: "object",
  description: "A security rule (its name is in the path)",
  properties: { properties: object("The rule", securityRuleProperties) },
};

export const networkSecurityGroupBody = resourceBody("A network security group", {
  securityRules: {
    type: "array",
    items: {
      type: "object",
      properties: {
        name: { type: "string" },
        properties: object("The rule", securityRuleProperties),
      },
    },
  },
});

const subnetProperties = {
  addressPrefix: { type: "string" },
  addressPrefixes: { type: "array", items: { type: "string" } },
  networkSecurityGroup: reference,
};

export const subnetBody = {
  type: "object",
  description: "A subnet (its name is in the path)",
  properties: { properties: object("The subnet", subnetProperties) },
};

export const virtualNetworkBody = resourceBody("A virtual network", {
  addressSpace: object("Its address space", {
    addressPrefixes: { type: "array", items: { type: "string" } },
  }),
  subnets: {
    type: "array",
    items: {
      type: "object",
      properties: { name: { type: "string" }, properties: object("The subnet", subnetProperties) },
    },
  },
});

export const networkInterfaceBody = resourceBody("A network interface", {
  networkSecurityGroup: reference,
  ipConfigurations: {
    type: "array",
    items: {
      type: "object",
      properties: {
        name: { type: "string" },
        properties: object("The IP configuration", {
          privateIPAddress: { type: "string" },
          privateIPAllocationMethod: { type: "string", description: "Static or Dynamic" },
          subnet: reference,
          publicIPAddress: reference,
          applicationSecurityGroups: { type: "array", items: reference },
        }),
      },
    },
  },
});

export const publicIpAddressBody = {
  ...resourceBody("A public IP address", {
    publicIPAllocationMethod: { type: "string", description: "Static or Dynamic" },
    ipAddress: { type: "string", description: "The address, where it is known" },
  }),
};

export const virtualMachineBody = resourceBody(
  "A virtual machine, as far as the network sees it: its network interfaces",
  {
    networkProfile: object("Its network interfaces", {
      networkInterfaces: { type: "array", items: reference },
    }),
  },
);

export const plainResourceBody = (description: string) => resourceBody(description, {});

/** Network Watcher's VerificationIPFlowParameters. */
export const ipFlowVerifyBody = {
  type: "object",
  description: "What IP flow verify is asked: one packet to or from an address the target holds",
  properties: {
    targetResourceId: { type: "string", description: "The virtual machine (or its interface)" },
    direction: { type: "string", description: "Inbound or Outbound" },
    protocol: { type: "string", description: "TCP or UDP" },
    localPort: { type: ["string", "integer"], description: "One port, or * as a source port" },
    remotePort: { type: ["string", "integer"], description: "One port, or * as a source port" },
    localIPAddress: { type: "string" },
    remoteIPAddress: { type: "string" },
    targetNicResourceId: { type: "string" },
  },
};

export const ipFlowVerifyResult = {
  type: "object",
  properties: {
    access: { type: "string", description: "Allow or Deny" },
    ruleName: {
      type: "string",
      description: "securityRules/NAME or defaultSecurityRules/NAME; absent when no NSG applies",
    },
  },
};

/** A workspace: the assertions every write is judged against, as a spec file writes them. */
export function workspaceBody() {
  const list = (schema: v.GenericSchema) => {
    const json = toJsonSchema(v.array(schema), {
      target: "draft-07",
      typeMode: "input",
      errorMode: "ignore",
    });
    const { $schema: _, ...rest } = json as Record<string, unknown>;
    return rest;
  };
  return {
    type: "object",
    description:
      "What a spec holds beside the ARM resources: the environments placed in the subscription's subnets, the tiers (who may call whom), and the assertions (flow, reach, isolate, onlyFrom, exposure) writes are judged against",
    properties: {
      properties: object("The workspace", {
        environments: list(environmentSchema),
        tiers: list(tierSchema),
        assertions: list(assertionSchema),
      }),
    },
  };
}

/**
 * What every route's schema holds unless it says otherwise: the api-version
 * parameter, ARM's error envelope for 4xx and 5xx, a tag (the resource type
 * or action its path ends in) and a summary from its method and path.
 */
export function withDefaults(method: string, url: string, schema: Record<string, unknown> = {}) {
  const statics = url.split("/").filter((s) => s !== "" && !s.startsWith(":"));
  const last = statics.at(-1) ?? "";
  const type = statics.filter(
    (s) => /^[a-z]/.test(s) && !["subscriptions", "resourceGroups", "providers"].includes(s),
  );
  const tag = type[0] ?? last;
  const response = (schema.response as Record<string, unknown> | undefined) ?? {};
  return {
    summary: `${method} ${type.join(" / ") || last}`,
    tags: [tag],
    querystring: API_VERSION,
    ...schema,
    response: { ...response, "4xx": armErrorSchema, "5xx": armErrorSchema },
  };
}
