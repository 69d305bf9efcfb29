/**
 * The API's virtual networks and subnets: ARM's paths, with a subnet's NSG
 * association (`properties.networkSecurityGroup.id`) checked against the
 * NSGs stored. A subnet is part of its virtual network's body, written by
 * rewriting the network under its etag, as rules are written into NSGs.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { StoredResource, TokenRecord } from "../store/store.js";
import { ArmError } from "./errors.js";
import { foundResource, type RouteDeps, registerResource } from "./resource-routes.js";
import { VNET_TYPE } from "./resource-types.js";
import { rewriteParent } from "./rewrite.js";
import { subnetBody, virtualNetworkBody } from "./schemas.js";
import { referencedNsgs, storedSubnet, subnetJson, vnetJson, vnetToStore } from "./vnet.js";

interface VnetParams {
  subscription: string;
  group: string;
  name: string;
}
type SubnetParams = VnetParams & { subnet: string };

const PROVIDER = "providers/Microsoft.Network/virtualNetworks";
const vnetIdOf = (p: VnetParams) =>
  `/subscriptions/${p.subscription}/resourceGroups/${p.group}/${PROVIDER}/${p.name}`;
const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const subnetsOf = (body: Record<string, unknown>) =>
  ((body.properties as Record<string, unknown> | undefined)?.subnets ?? []) as { name: string }[];

export function registerVirtualNetworks(app: FastifyInstance, deps: RouteDeps): void {
  const { store, authorize, checkApiVersion, checkName, conditions } = deps;
  const vnetPath = `/subscriptions/:subscription/resourceGroups/:group/${PROVIDER}/:name`;

  const found = (id: string) => foundResource(store, VNET_TYPE, id);

  /** The body to store, validated with the NSGs it names as they are stored. */
  const toStore = async (id: string, name: string, body: unknown, previous?: StoredResource) => {
    const nsgs: StoredResource[] = [];
    for (const nsgId of new Set(referencedNsgs(body).map((n) => n.toLowerCase()))) {
      const nsg = await store.get(nsgId);
      if (nsg) nsgs.push(nsg);
    }
    return vnetToStore(id, name, body, previous, nsgs);
  };

  registerResource(app, deps, {
    type: VNET_TYPE,
    bodySchema: virtualNetworkBody,
    toStore,
    toJson: vnetJson,
  });

  const subnetPath = `${vnetPath}/subnets/:subnet`;

  const rewriteSubnets = (
    request: FastifyRequest<{ Params: SubnetParams }>,
    token: TokenRecord,
    change: (subnets: { name: string }[]) => { name: string }[] | undefined,
  ) => {
    const id = vnetIdOf(request.params);
    return rewriteParent(
      store,
      id,
      VNET_TYPE,
      conditions(request, token),
      () => found(id),
      (stored) => {
        const next = change(subnetsOf(stored.body));
        if (next === undefined) return undefined;
        const properties = {
          ...(stored.body.properties as Record<string, unknown>),
          subnets: next,
        };
        return toStore(id, request.params.name, { ...stored.body, properties }, stored);
      },
    );
  };

  app.get<{ Params: VnetParams }>(`${vnetPath}/subnets`, async (request) => {
    checkApiVersion(request);
    await authorize(request, "reader");
    const stored = await found(vnetIdOf(request.params));
    return { value: subnetsOf(stored.body).map((s) => subnetJson(stored.id, stored.etag, s)) };
  });

  app.get<{ Params: SubnetParams }>(subnetPath, async (request, reply) => {
    checkApiVersion(request);
    await authorize(request, "reader");
    const stored = await found(vnetIdOf(request.params));
    const subnet = subnetsOf(stored.body).find((s) => sameName(s.name, request.params.subnet));
    if (!subnet)
      throw new ArmError(
        404,
        "NotFound",
        `Resource ${stored.id}/subnets/${request.params.subnet} not found.`,
      );
    return reply.header("etag", stored.etag).send(subnetJson(stored.id, stored.etag, subnet));
  });

  app.put<{ Params: SubnetParams }>(
    subnetPath,
    { schema: { body: subnetBody } },
    async (request, reply) => {
      checkApiVersion(request);
      const token = await authorize(request, "writer");
      checkName("subnets", request.params.subnet);
      const subnet = storedSubnet(
        { ...(request.body as object), name: request.params.subnet },
        "the request body",
      );
      let created = false;
      const resource = await rewriteSubnets(request, token, (subnets) => {
        const at = subnets.findIndex((s) => sameName(s.name, request.params.subnet));
        created = at < 0;
        return at < 0 ? [...subnets, subnet] : subnets.map((s, i) => (i === at ? subnet : s));
      });
      const saved = subnetsOf(resource?.body ?? {}).find((s) =>
        sameName(s.name, request.params.subnet),
      );
      return reply
        .code(created ? 201 : 200)
        .header("etag", resource?.etag)
        .send(subnetJson(resource?.id ?? "", resource?.etag ?? "", saved));
    },
  );

  app.delete<{ Params: SubnetParams }>(subnetPath, async (request, reply) => {
    checkApiVersion(request);
    const token = await authorize(request, "writer");
    const resource = await rewriteSubnets(request, token, (subnets) =>
      subnets.some((s) => sameName(s.name, request.params.subnet))
        ? subnets.filter((s) => !sameName(s.name, request.params.subnet))
        : undefined,
    );
    return reply.code(resource ? 200 : 204).send();
  });
}
