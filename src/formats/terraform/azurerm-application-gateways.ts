/**
 * Application gateways in azurerm: `azurerm_application_gateway` with its
 * `sku`, `gateway_ip_configuration`, `frontend_ip_configuration`,
 * `frontend_port`, `backend_address_pool`, `backend_http_settings`,
 * `http_listener` and `request_routing_rule` blocks, whose children name each
 * other by name (`http_listener_name`...). A rule routing by URL path
 * (`url_path_map_name`) is named as not modelled and left out: the spec then
 * sends less to backends, never more. Interfaces' pool associations
 * (`azurerm_network_interface_application_gateway_backend_address_pool_association`)
 * stay named as not modelled.
 */
import {
  APPLICATION_GATEWAY_PROTOCOLS,
  APPLICATION_GATEWAY_TIERS,
  type ApplicationGateway,
  type ApplicationGatewayBackendAddressPool,
  type ApplicationGatewayBackendHttpSettings,
  type ApplicationGatewayFrontendIPConfiguration,
  type ApplicationGatewayFrontendPort,
  type ApplicationGatewayHttpListener,
  type ApplicationGatewayIPConfiguration,
  type ApplicationGatewayRequestRoutingRule,
  gatewayVersion,
} from "../../model/application-gateway-types.js";
import type { PublicIPAddress } from "../../model/types.js";
import type { LeftOut } from "../shared/left-out.js";
import { NOT_MODELLED_CODE } from "../shared/unmodelled.js";
import { publicIpRef } from "./azurerm-public-ips.js";
import { type AzurermReader, lower } from "./azurerm-reader.js";
import { AZURERM } from "./azurerm-schema.js";
import type { TfBlock } from "./values.js";

export const AZURERM_APPLICATION_GATEWAY = "azurerm_application_gateway";

const gatewaysOf = new WeakMap<AzurermReader, ApplicationGateway[]>();

// Left out, a gateway or a part of one sends nothing in the spec: the Internet reaches less.
const leftOut = (what: string): LeftOut => ({ kind: "loadBalancer", what });

function integer(r: AzurermReader, block: TfBlock, attribute: string, consequence: string) {
  const v = r.value(block, attribute, consequence);
  if (v === undefined || v === "") return undefined;
  const n = typeof v === "number" ? v : typeof v === "string" ? Number(v) : Number.NaN;
  if (!Number.isInteger(n)) return r.wrongType(block, attribute, "a whole number");
  return n;
}

function protocol(r: AzurermReader, block: TfBlock, consequence: string) {
  const text = r.string(block, "protocol", consequence);
  const found = APPLICATION_GATEWAY_PROTOCOLS.find((p) => lower(p) === lower(text ?? ""));
  if (found === undefined) r.wrongType(block, "protocol", "Http or Https");
  return found;
}

/** Each nested block of `name`, read by `read` (its own problems leave it out, named). */
function each<T>(
  r: AzurermReader,
  body: TfBlock,
  name: string,
  what: string,
  read: (b: TfBlock) => T,
): T[] {
  const out: T[] = [];
  for (const b of r.knownBlocks(body, name, what))
    r.guarded(() => {
      out.push(r.omitting(leftOut(`${what} ${b.where().text}`), () => read(b)));
    });
  return out;
}

export function readApplicationGateway(r: AzurermReader, block: TfBlock): void {
  const address = block.where().text;
  const name = r.omitting(leftOut(`application gateway ${address}`), () =>
    r.name(block, "name", "the application gateway is left out"),
  );
  const what = `of application gateway ${JSON.stringify(name)}`;
  const skuBlock = r.knownBlocks(block, "sku", "SKU")[0];
  const tierText = skuBlock && r.peek(skuBlock, "tier");
  const skuName = skuBlock && r.peek(skuBlock, "name");
  const tier = APPLICATION_GATEWAY_TIERS.find(
    (t) => typeof tierText === "string" && lower(t) === lower(tierText),
  );
  if (tier === undefined)
    r.report(
      "warning",
      "ApplicationGatewaySkuNotKnown",
      (skuBlock ?? block).where(skuBlock ? "tier" : undefined),
      `the tier ${what} is not known; it is read as Standard_v2, whose subnet needs the most (GatewayManager on 65200-65535)`,
    );
  const capacity = skuBlock && r.peek(skuBlock, "capacity");
  const gatewayIPConfigurations = each(
    r,
    block,
    "gateway_ip_configuration",
    `the gateway IP configuration ${what}`,
    (b): ApplicationGatewayIPConfiguration => {
      const n = r.name(b, "name", "it is left out");
      const v = r.value(b, "subnet_id", "it is left out");
      if (v === undefined) r.missing(b, "subnet_id");
      const subnet = r.reference(b, "subnet_id", v, AZURERM.subnet);
      return { name: n, subnet: subnet.parent ? `${subnet.parent}/${subnet.name}` : subnet.name };
    },
  );
  if (gatewayIPConfigurations.length === 0) {
    r.report(
      "warning",
      "IncompleteApplicationGateway",
      block.where(),
      `application gateway ${JSON.stringify(name)} has no gateway IP configuration with a known subnet; it is left out`,
      leftOut(`application gateway ${JSON.stringify(name)}`),
    );
    return;
  }
  const frontendIPConfigurations = each(
    r,
    block,
    "frontend_ip_configuration",
    `a frontend ${what}`,
    (b): ApplicationGatewayFrontendIPConfiguration => {
      const n = r.name(b, "name", "it is left out");
      if (r.isSet(b, "public_ip_address_id")) {
        const pip = publicIpRef(r, b, name, n);
        return pip === undefined ? { name: n } : { name: n, publicIPAddress: pip };
      }
      const v = r.value(b, "subnet_id", "it is left out");
      const subnet = v === undefined ? undefined : r.reference(b, "subnet_id", v, AZURERM.subnet);
      const ip = r.string(b, "private_ip_address", "it is left out");
      return {
        name: n,
        ...(subnet
          ? { subnet: subnet.parent ? `${subnet.parent}/${subnet.name}` : subnet.name }
          : {}),
        ...(ip === undefined ? { privateIPAllocationMethod: "Dynamic" } : { privateIPAddress: ip }),
      };
    },
  );
  const frontendPorts = each(
    r,
    block,
    "frontend_port",
    `a frontend port ${what}`,
    (b): ApplicationGatewayFrontendPort => ({
      name: r.name(b, "name", "it is left out"),
      port: integer(r, b, "port", "it is left out") ?? r.missing(b, "port"),
    }),
  );
  const backendAddressPools = each(
    r,
    block,
    "backend_address_pool",
    `a backend pool ${what}`,
    (b): ApplicationGatewayBackendAddressPool => {
      const ips = r.strings(b, "ip_addresses", "its addresses are left out") ?? [];
      const fqdns = r.strings(b, "fqdns", "its names are left out") ?? [];
      const addresses = [
        ...ips.map((ipAddress) => ({ ipAddress })),
        ...fqdns.map((fqdn) => ({ fqdn })),
      ];
      return {
        name: r.name(b, "name", "it is left out"),
        ...(addresses.length > 0 ? { backendAddresses: addresses } : {}),
      };
    },
  );
  const backendHttpSettingsCollection = each(
    r,
    block,
    "backend_http_settings",
    `backend settings ${what}`,
    (b): ApplicationGatewayBackendHttpSettings => ({
      name: r.name(b, "name", "they are left out"),
      port: integer(r, b, "port", "they are left out") ?? r.missing(b, "port"),
      protocol: protocol(r, b, "they are left out") ?? r.missing(b, "protocol"),
    }),
  );
  const httpListeners = each(
    r,
    block,
    "http_listener",
    `a listener ${what}`,
    (b): ApplicationGatewayHttpListener => ({
      name: r.name(b, "name", "it is left out"),
      frontendIPConfiguration: r.required(b, "frontend_ip_configuration_name", "it is left out"),
      frontendPort: r.required(b, "frontend_port_name", "it is left out"),
      protocol: protocol(r, b, "it is left out") ?? r.missing(b, "protocol"),
    }),
  );
  const requestRoutingRules = each(
    r,
    block,
    "request_routing_rule",
    `a request routing rule ${what}`,
    (b): ApplicationGatewayRequestRoutingRule | undefined => {
      const n = r.name(b, "name", "it is left out");
      if (r.isSet(b, "url_path_map_name")) {
        r.report(
          "warning",
          NOT_MODELLED_CODE,
          b.where("url_path_map_name"),
          `request routing rule ${JSON.stringify(n)} ${what} routes by URL path (a URL path map), which is not modelled; it is left out, so the spec sends its listener's requests nowhere, where the gateway sends them to its paths' backend pools`,
        );
        return undefined;
      }
      const pool = r.string(b, "backend_address_pool_name", "it is left out");
      const settings = r.string(b, "backend_http_settings_name", "it is left out");
      const redirect = r.string(b, "redirect_configuration_name", "it is left out");
      const ruleType = r.string(b, "rule_type", "it is left out");
      const priority = integer(r, b, "priority", "it is left out");
      return {
        name: n,
        ...(ruleType === undefined ? {} : { ruleType }),
        ...(priority === undefined ? {} : { priority }),
        httpListener: r.required(b, "http_listener_name", "it is left out"),
        ...(pool === undefined ? {} : { backendAddressPool: pool }),
        ...(settings === undefined ? {} : { backendHttpSettings: settings }),
        ...(redirect === undefined ? {} : { redirectConfiguration: redirect }),
      };
    },
  ).filter((x): x is ApplicationGatewayRequestRoutingRule => x !== undefined);
  const gw: ApplicationGateway = {
    name,
    ...r.location(block),
    sku: {
      ...(typeof skuName === "string" ? { name: skuName } : {}),
      tier: tier ?? "Standard_v2",
      ...(typeof capacity === "number" ? { capacity } : {}),
    },
    gatewayIPConfigurations,
    frontendIPConfigurations: frontendIPConfigurations.filter(
      (f) =>
        f.publicIPAddress !== undefined ||
        f.subnet !== undefined ||
        f.privateIPAddress !== undefined,
    ),
    frontendPorts,
    ...(httpListeners.length > 0 ? { httpListeners } : {}),
    ...(backendAddressPools.length > 0 ? { backendAddressPools } : {}),
    ...(backendHttpSettingsCollection.length > 0 ? { backendHttpSettingsCollection } : {}),
    ...(requestRoutingRules.length > 0 ? { requestRoutingRules } : {}),
  };
  r.record(gw, block, { name: "name" });
  const all = gatewaysOf.get(r) ?? [];
  all.push(gw);
  gatewaysOf.set(r, all);
}

/**
 * A public IP a gateway's frontend names that these files do not declare:
 * of the gateway's generation's SKU (Standard for v2, Basic for v1), as Azure
 * requires. Run before the interfaces' undeclared public IPs are made.
 */
export function undeclaredGatewayPublicIps(r: AzurermReader): void {
  for (const gw of gatewaysOf.get(r) ?? [])
    for (const f of gw.frontendIPConfigurations) {
      const ref = f.publicIPAddress;
      if (ref === undefined) continue;
      const key = lower(typeof ref === "string" ? ref : (ref.id.split("/").pop() ?? ref.id));
      const named = r.pipRefs.get(key);
      if (r.pips.has(key) || !named) continue;
      const pip: PublicIPAddress = {
        name: named.name,
        sku: gatewayVersion(gw.sku.tier) === 2 ? "Standard" : "Basic",
      };
      r.origins.record(pip, r.at(named.block, "public_ip_address_id"), {
        name: r.at(named.block, "public_ip_address_id"),
      });
      r.origins.placeholder(pip);
      r.pips.set(key, pip);
    }
}

/** What the topology holds of the gateways read: left out when there are none. */
export function applicationGatewaysOf(r: AzurermReader): {
  applicationGateways?: ApplicationGateway[];
} {
  const all = gatewaysOf.get(r) ?? [];
  return all.length > 0 ? { applicationGateways: all } : {};
}
