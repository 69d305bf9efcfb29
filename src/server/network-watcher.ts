/**
 * Network Watcher, offline: watchers as resources, IP flow verify on a
 * watcher, and the effective security groups of a network interface, each
 * answered from the network the subscription's stored resources make
 * (subscription-network.ts) by the same engine as `tierwall flow` and
 * `tierwall rules --effective`.
 *
 * Both are long-running operations in Azure; here they finish at once and
 * answer 200 with the result, which Azure's pollers take as done.
 */
import type { FastifyInstance } from "fastify";
import { effectiveRules } from "../engine/effective.js";
import { parseDirection, parseIpFlowProtocol } from "../engine/ip-flow-verify.js";
import { type IpAddress, parseIpAddress, sameAddress } from "../net/address.js";
import type { StoredResource } from "../store/store.js";
import { isObject, resourceJson, topLevelBody } from "./body.js";
import { ArmError } from "./errors.js";
import {
  foundResource,
  type RouteDeps,
  registerResource,
  resourceIdOf,
} from "./resource-routes.js";
import { NIC_TYPE, NSG_TYPE, VM_TYPE, WATCHER_TYPE } from "./resource-types.js";
import { ipFlowVerifyBody, ipFlowVerifyResult, plainResourceBody } from "./schemas.js";
import type { SubscriptionNetwork, SubscriptionNetworks } from "./subscription-network.js";
import { machineInterfaces } from "./vm.js";

interface Params {
  subscription: string;
  group: string;
  name: string;
}

const invalid = (field: string, message: string) =>
  new ArmError(400, "InvalidParameter", message, [], {}, field);

/** A required string field of the body (numbers taken for ports, as clients send either). */
function field(body: Record<string, unknown>, name: string, numbersToo = false): string {
  const value = body[name];
  if (typeof value === "string" && value !== "") return value;
  if (numbersToo && typeof value === "number" && Number.isInteger(value)) return String(value);
  throw invalid(
    name,
    value === undefined
      ? `${name} is required`
      : `${name} must be a ${numbersToo ? "port number or *" : "string"}, not ${JSON.stringify(value)}`,
  );
}

function port(body: Record<string, unknown>, name: string): number | "*" {
  const text = field(body, name, true);
  if (text === "*") return "*";
  if (/^[0-9]{1,5}$/.test(text) && Number(text) <= 65535) return Number(text);
  throw invalid(
    name,
    `${name} must be one port from 0 to 65535, or *, not ${JSON.stringify(text)}`,
  );
}

function address(body: Record<string, unknown>, name: string): IpAddress {
  const text = field(body, name);
  const parsed = parseIpAddress(text);
  if (!parsed) throw invalid(name, `${name} ${JSON.stringify(text)} is not an IP address`);
  return parsed;
}

/** The query's network interface: the target's (a machine's, the one holding the local address), or the one named. */
async function targetInterface(
  deps: RouteDeps,
  model: SubscriptionNetwork,
  body: Record<string, unknown>,
  local: IpAddress,
): Promise<string> {
  const targetId = field(body, "targetResourceId");
  const target = await deps.store.get(targetId);
  const type = target?.type.toLowerCase();
  if (!target || (type !== VM_TYPE.toLowerCase() && type !== NIC_TYPE.toLowerCase()))
    throw new ArmError(
      404,
      "ResourceNotFound",
      `The target resource ${targetId} was not found: IP flow verify runs on a virtual machine (or one of its network interfaces).`,
      [],
      {},
      "targetResourceId",
    );
  const candidates = type === NIC_TYPE.toLowerCase() ? [target.id] : machineInterfaces(target.body);
  const named = body.targetNicResourceId;
  if (named !== undefined && named !== null) {
    const nicId = field(body, "targetNicResourceId");
    if (!candidates.some((c) => c.toLowerCase() === nicId.toLowerCase()))
      throw invalid(
        "targetNicResourceId",
        `The network interface ${nicId} is not one of ${target.id}'s (${candidates.join(", ")}).`,
      );
    return nicId;
  }
  // Without one named, the interface that holds the local address; the first when none does (the engine says why).
  const holding = candidates.find((id) => {
    const nic = model.network.nics.get(model.nameOf(id) ?? "");
    return nic?.ipConfigurations.some((c) => sameAddress(c.address, local));
  });
  return holding ?? (candidates[0] as string);
}

export function registerNetworkWatcher(
  app: FastifyInstance,
  deps: RouteDeps,
  networks: SubscriptionNetworks,
): void {
  const { store, authorize, checkApiVersion } = deps;

  registerResource(app, deps, {
    type: WATCHER_TYPE,
    bodySchema: plainResourceBody("A network watcher"),
    toStore: (_id, _name, body, previous) => topLevelBody(body, previous, []),
    toJson: (stored) => resourceJson(stored, WATCHER_TYPE, stored.body.properties as object),
  });

  app.post<{ Params: Params }>(
    `/subscriptions/:subscription/resourceGroups/:group/providers/${WATCHER_TYPE}/:name/ipFlowVerify`,
    { schema: { body: ipFlowVerifyBody, response: { 200: ipFlowVerifyResult } } },
    async (request) => {
      checkApiVersion(request);
      await authorize(request, "reader");
      await foundResource(store, WATCHER_TYPE, resourceIdOf(WATCHER_TYPE, request.params));
      const body = request.body;
      if (!isObject(body))
        throw new ArmError(
          400,
          "InvalidRequestFormat",
          "The request body must be a VerificationIPFlowParameters object.",
        );
      const directionText = field(body, "direction");
      const direction = parseDirection(directionText);
      if (!direction)
        throw invalid("direction", `direction must be Inbound or Outbound, not ${directionText}`);
      const protocolText = field(body, "protocol");
      const protocol = parseIpFlowProtocol(protocolText);
      if (!protocol)
        throw invalid(
          "protocol",
          `protocol must be TCP or UDP, not ${protocolText} (ICMP is not supported by IP flow verify)`,
        );
      const local = { address: address(body, "localIPAddress"), port: port(body, "localPort") };
      const remote = { address: address(body, "remoteIPAddress"), port: port(body, "remotePort") };
      const model = await networks.of(request.params.subscription);
      const nicId = await targetInterface(deps, model, body, local.address);
      const nicName = model.nameOf(nicId);
      if (nicName === undefined)
        throw invalid("targetNicResourceId", `The network interface ${nicId} does not exist.`);
      const verified = model.verifier.verify({
        target: `nic:${nicName}`,
        direction,
        protocol,
        local,
        remote,
      });
      if (!verified.ok)
        throw new ArmError(
          400,
          "InvalidParameter",
          `${verified.message}${verified.hint ? ` (${verified.hint})` : ""}`,
        );
      const { access, ruleName } = verified.result;
      return { access, ...(ruleName !== undefined ? { ruleName } : {}) };
    },
  );

  app.post<{ Params: Params }>(
    `/subscriptions/:subscription/resourceGroups/:group/providers/${NIC_TYPE}/:name/effectiveNetworkSecurityGroups`,
    async (request) => {
      checkApiVersion(request);
      await authorize(request, "reader");
      const nic: StoredResource = await foundResource(
        store,
        NIC_TYPE,
        resourceIdOf(NIC_TYPE, request.params),
      );
      const model = await networks.of(request.params.subscription);
      const info = model.network.nics.get(model.nameOf(nic.id) ?? "");
      if (!info) return { value: [] };
      return {
        value: effectiveRules(model.network, { nic: info }).map((group) => {
          const tags = new Map<string, string[]>();
          const rules = group.effectiveSecurityRules.map((r) => {
            for (const [prefix, expanded] of [
              [r.sourceAddressPrefix, r.expandedSourceAddressPrefix],
              [r.destinationAddressPrefix, r.expandedDestinationAddressPrefix],
            ] as const)
              if (/^[A-Za-z][\w.]*$/.test(prefix) && !expanded.some((e) => e.startsWith("<")))
                tags.set(prefix, [...expanded]);
            return {
              name: r.name,
              protocol: r.protocol,
              ...ranges("sourcePortRange", r.sourcePortRange),
              ...ranges("destinationPortRange", r.destinationPortRange),
              sourceAddressPrefix: r.sourceAddressPrefix,
              destinationAddressPrefix: r.destinationAddressPrefix,
              expandedSourceAddressPrefix: r.expandedSourceAddressPrefix,
              expandedDestinationAddressPrefix: r.expandedDestinationAddressPrefix,
              access: r.access,
              priority: r.priority,
              direction: r.direction,
            };
          });
          const association =
            group.association.type === "subnet"
              ? { subnet: { id: model.subnetId(group.association.name) } }
              : { networkInterface: { id: nic.id } };
          return {
            networkSecurityGroup: {
              id: model.idOf(NSG_TYPE, group.networkSecurityGroup) ?? group.networkSecurityGroup,
            },
            association,
            effectiveSecurityRules: rules,
            tagMap: JSON.stringify(Object.fromEntries(tags)),
          };
        }),
      };
    },
  );
}

/** A rule's port ranges as Azure's effective rules give them: the one range alone, and the list. */
function ranges(field: string, list: readonly string[]) {
  return {
    ...(list.length === 1 ? { [field]: list[0] } : {}),
    [`${field}s`]: list,
  };
}
