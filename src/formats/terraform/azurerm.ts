/**
 * azurerm resources to the model: NSGs (inline rules and rule resources), ASGs,
 * virtual networks and subnets, network interfaces, peerings and the
 * association resources. Whatever is not known is reported for exactly its
 * attribute, and the rule or resource that needs it is left out.
 */
import type { Diagnostic } from "../../model/diagnostic.js";
import type { Topology } from "../../model/types.js";
import type { LeftOut } from "../shared/left-out.js";
import type { Origins } from "../shared/origins.js";
import { Inventory } from "../shared/summary.js";
import { ipForwardingMessage, NOT_MODELLED_CODE, standing } from "../shared/unmodelled.js";
import {
  AZURERM_APPLICATION_GATEWAY,
  applicationGatewaysOf,
  readApplicationGateway,
  undeclaredGatewayPublicIps,
} from "./azurerm-application-gateways.js";
import {
  readNicAsgAssociation,
  readNicNsgAssociation,
  readSubnetNsgAssociation,
} from "./azurerm-associations.js";
import { peekAsgs, readNic } from "./azurerm-interfaces.js";
import {
  AZURERM_LB,
  loadBalancersOf,
  readBackendPool,
  readBackendPoolAddress,
  readInlineMemberships,
  readLoadBalancer,
  readNatPool,
  readNatRule,
  readNicNatRuleAssociation,
  readNicPoolAssociation,
  readOutboundRule,
  readProbe,
  readRule,
} from "./azurerm-load-balancers.js";
import {
  AZURERM_NAT,
  natGatewaysOf,
  readNatGateway,
  readNatGatewayPrefix,
  readNatGatewayPublicIp,
  readSubnetNatGatewayAssociation,
  undeclaredNatPublicIps,
} from "./azurerm-nat-gateways.js";
import { readPeering, readSubnet, readVnet } from "./azurerm-networks.js";
import {
  AZURERM_ENDPOINTS,
  endpointsOfReader,
  readBastionHost,
  readPrivateEndpoint,
  undeclaredBastionPublicIps,
} from "./azurerm-private-endpoints.js";
import { readPublicIp, undeclaredPublicIps } from "./azurerm-public-ips.js";
import { AzurermReader } from "./azurerm-reader.js";
import {
  AZURERM_ROUTES,
  readRoute,
  readRouteTable,
  readSubnetRouteTableAssociation,
  routeTablesOf,
} from "./azurerm-routes.js";
import {
  AZURERM_VMSS,
  readLegacyScaleSet,
  readOrchestratedScaleSet,
  readScaleSet,
  scaleSetsOf,
} from "./azurerm-scale-sets.js";
import { AZURERM } from "./azurerm-schema.js";
import { readAsg, readNsg, readRuleResource } from "./azurerm-security.js";
import { NotKnown, type TfBlock, type TfResource } from "./values.js";

/** The resource types read, each with its reader, in the order they run: declarations first, then what attaches to them. */
const READERS: readonly (readonly [string, (r: AzurermReader, body: TfBlock) => void])[] = [
  [AZURERM.asg, readAsg],
  [AZURERM.nsg, readNsg],
  [AZURERM.vnet, readVnet],
  [AZURERM.subnet, readSubnet],
  [AZURERM.pip, readPublicIp],
  [AZURERM.nic, readNic],
  [AZURERM.rule, readRuleResource],
  [AZURERM.peering, readPeering],
  [AZURERM_ROUTES.table, readRouteTable],
  [AZURERM_ROUTES.route, readRoute],
  [AZURERM_ROUTES.association, readSubnetRouteTableAssociation],
  [AZURERM_NAT.gateway, readNatGateway],
  [AZURERM_NAT.publicIp, readNatGatewayPublicIp],
  [AZURERM_NAT.prefix, readNatGatewayPrefix],
  [AZURERM_NAT.subnet, readSubnetNatGatewayAssociation],
  [AZURERM_LB.lb, readLoadBalancer],
  [AZURERM_LB.pool, readBackendPool],
  [AZURERM_LB.poolAddress, readBackendPoolAddress],
  [AZURERM_LB.probe, readProbe],
  [AZURERM_LB.rule, readRule],
  [AZURERM_LB.natRule, readNatRule],
  [AZURERM_LB.natPool, readNatPool],
  [AZURERM_LB.outboundRule, readOutboundRule],
  [AZURERM_LB.nicPool, readNicPoolAssociation],
  [AZURERM_LB.nicNatRule, readNicNatRuleAssociation],
  [AZURERM_APPLICATION_GATEWAY, readApplicationGateway],
  [AZURERM_ENDPOINTS.privateEndpoint, readPrivateEndpoint],
  [AZURERM_ENDPOINTS.bastion, readBastionHost],
  [AZURERM_VMSS.linux, readScaleSet],
  [AZURERM_VMSS.windows, readScaleSet],
  [AZURERM_VMSS.orchestrated, readOrchestratedScaleSet],
  [AZURERM_VMSS.legacy, readLegacyScaleSet],
  [AZURERM.subnetNsg, readSubnetNsgAssociation],
  [AZURERM.nicNsg, readNicNsgAssociation],
  [AZURERM.nicAsg, readNicAsgAssociation],
];

/** Reads the resources into a topology, reporting what is not known. */
export function azurermTopology(
  resources: readonly TfResource[],
  origins?: Origins,
): {
  topology: Topology;
  diagnostics: Diagnostic[];
  inventory: Inventory;
} {
  const reader = new AzurermReader(origins);
  const inventory = new Inventory("resources");
  const modelled = new Set(READERS.map(([type]) => type));
  for (const r of resources)
    if (r.mode === "managed") {
      if (modelled.has(r.type)) inventory.add(r.type, "modelled");
      else notModelled(reader, inventory, r);
    }
  for (const r of resources)
    if (r.mode === "managed" && r.type === AZURERM.nic && r.body) ipForwarding(reader, r.body);
  for (const [type, read] of READERS) {
    const bodies: [TfBlock, boolean][] = [];
    for (const r of resources) {
      if (r.mode !== "managed" || r.type !== type) continue;
      if (r.body !== undefined) bodies.push([r.body, r.shown === true]);
      else if (r.skipped)
        reader.report(
          r.skipped.severity,
          r.skipped.severity === "info" ? "ResourceNotCreated" : "ExpressionNotStaticallyKnown",
          r.skipped.place,
          r.skipped.reason,
          r.skipped.severity === "info" ? undefined : repeated(reader, r),
        );
    }
    for (const [body, shown] of bodies) {
      reader.shown = shown;
      reader.guarded(() => read(reader, body));
    }
  }
  // azurerm 1.x's interfaces name their pools and NAT rules, read once the load balancers are.
  for (const r of resources)
    if (r.mode === "managed" && r.type === AZURERM.nic && r.body) {
      const body = r.body;
      reader.shown = r.shown === true;
      reader.guarded(() => readInlineMemberships(reader, body));
    }
  undeclaredNatPublicIps(reader);
  undeclaredBastionPublicIps(reader);
  undeclaredGatewayPublicIps(reader);
  undeclaredPublicIps(reader);
  return {
    topology: {
      ...reader.topology(),
      ...routeTablesOf(reader),
      ...natGatewaysOf(reader),
      ...loadBalancersOf(reader),
      ...applicationGatewaysOf(reader),
      ...scaleSetsOf(reader),
      ...endpointsOfReader(reader),
    },
    diagnostics: reader.diagnostics,
    inventory,
  };
}

/** A resource of a type the model does not hold: named with what it may change, or counted. */
function notModelled(reader: AzurermReader, inventory: Inventory, r: TfResource): void {
  const found = standing("terraform", r.type);
  const place = r.body?.where() ?? r.skipped?.place;
  if (found.standing === "notModelled") {
    inventory.add(r.type, "notModelled");
    if (place)
      reader.report(
        "warning",
        NOT_MODELLED_CODE,
        place,
        `${found.kind.what} not modelled; ${found.kind.consequence}`,
      );
  } else if (found.standing === "notRelevant") inventory.add(r.type, "notRelevant");
  else {
    inventory.add(r.type, "unknown");
    if (place)
      reader.report(
        r.type.startsWith("azurerm_") ? "warning" : "info",
        "UnknownResourceType",
        place,
        `${r.type} is not known to tierwall; what it changes in reachability is not read`,
      );
  }
}

/** IP forwarding on an interface (`ip_forwarding_enabled`, `enable_ip_forwarding` before azurerm 4). */
function ipForwarding(reader: AzurermReader, body: TfBlock): void {
  for (const attribute of ["ip_forwarding_enabled", "enable_ip_forwarding"])
    if (reader.peek(body, attribute) === true) {
      const name = reader.peek(body, "name");
      reader.report(
        "warning",
        NOT_MODELLED_CODE,
        body.where(attribute),
        ipForwardingMessage(typeof name === "string" ? name : body.where().text),
      );
    }
}

/**
 * What leaving out the copies of a repeated resource (count, for_each) leaves
 * out, from what is the same in every copy: a rule's literal access, an
 * interface's NSG and ASGs.
 */
function repeated(reader: AzurermReader, r: TfResource): LeftOut {
  const what = `the copies of ${r.address}`;
  const body = r.skipped?.body;
  const set = (attribute: string) => body === undefined || reader.isSet(body, attribute);
  switch (r.type) {
    case AZURERM.rule: {
      const access = body === undefined ? undefined : reader.peek(body, "access");
      return { kind: "rule", ...(typeof access === "string" ? { access } : {}), what };
    }
    case AZURERM.nsg:
      return { kind: "networkSecurityGroup", what };
    case AZURERM.asg:
      return { kind: "applicationSecurityGroup", what };
    case AZURERM.vnet:
      return { kind: "virtualNetwork", what };
    case AZURERM.subnet:
      return { kind: "subnet", nsg: set("network_security_group_id"), what };
    case AZURERM.peering:
      return { kind: "peering", what };
    case AZURERM.pip:
      return { kind: "publicIPAddress", what };
    case AZURERM.nic: {
      let asgs: string[] | undefined;
      try {
        const each = (body?.blocks("ip_configuration") ?? []).map((c) => peekAsgs(reader, c));
        asgs = body && each.every((a) => a !== undefined) ? each.flat() : undefined;
      } catch (e) {
        if (!(e instanceof NotKnown)) throw e;
      }
      return {
        kind: "networkInterface",
        nsg: set("network_security_group_id"),
        ...(asgs === undefined ? {} : { asgs }),
        what,
      };
    }
    case AZURERM.nicAsg:
      return { kind: "asgMembership", what };
    case AZURERM_LB.lb:
    case AZURERM_LB.pool:
    case AZURERM_LB.poolAddress:
    case AZURERM_LB.rule:
    case AZURERM_LB.natRule:
    case AZURERM_LB.probe:
    case AZURERM_LB.natPool:
    case AZURERM_LB.outboundRule:
    case AZURERM_LB.nicPool:
    case AZURERM_LB.nicNatRule:
    case AZURERM_APPLICATION_GATEWAY:
      // Left out, they forward nothing in the spec: the Internet reaches less.
      return { kind: "loadBalancer", what };
    case AZURERM_ENDPOINTS.privateEndpoint:
    case AZURERM_ENDPOINTS.bastion:
      // Left out, they are not reached in the spec: nothing widens.
      return { kind: "publicIPAddress", what };
    case AZURERM_VMSS.linux:
    case AZURERM_VMSS.windows:
    case AZURERM_VMSS.orchestrated:
    case AZURERM_VMSS.legacy:
      // Its instances are interfaces, which may carry an NSG.
      return { kind: "networkInterface", nsg: true, what };
    default:
      return { kind: "association", what };
  }
}
