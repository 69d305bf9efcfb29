/**
 * The network a subscription's stored resources make, for Network Watcher's
 * questions: read by the ARM importer and built into the model as `tierwall
 * import` reads a file, and kept until the store's version changes (so a
 * write by another server on the same store is seen too).
 *
 * The model knows resources by name, ARM by id: where resources of one type
 * share a name in two resource groups, all but the first are given a name of
 * their own for the build (`name.2`), their ids rewritten wherever they are
 * referred to; answers map the names back to ids.
 */
import { IpFlowVerifier } from "../engine/ip-flow-verify.js";
import { importArm } from "../formats/arm/import.js";
import type { Diagnostic } from "../model/diagnostic.js";
import { buildNetwork, type Network } from "../model/network.js";
import { ServiceTagCatalog } from "../model/service-tags.js";
import type { Topology } from "../model/types.js";
import type { ResourceBody, Store, StoredResource } from "../store/store.js";
import { asResource } from "./body.js";
import { ArmError } from "./errors.js";
import {
  ASG_TYPE,
  ENVIRONMENT_TYPE,
  NIC_TYPE,
  NSG_TYPE,
  PUBLIC_IP_TYPE,
  VNET_TYPE,
} from "./resource-types.js";
import { parseEnvironments, WORKSPACE_TYPE, workspaceId } from "./workspace-body.js";

/** The types the model is built from: what a write of may change what the network allows. */
export const MODEL_TYPES: readonly string[] = [
  VNET_TYPE,
  NSG_TYPE,
  ASG_TYPE,
  PUBLIC_IP_TYPE,
  NIC_TYPE,
];

export class SubscriptionNetwork {
  /** Model name → ARM id, per type (lower-cased type). */
  private readonly idsByName = new Map<string, Map<string, string>>();
  /** ARM id (lower-cased) → model name. */
  private readonly namesById = new Map<string, string>();
  private verifierMade?: IpFlowVerifier;

  constructor(
    readonly network: Network,
    /** What the network was built from, for export. */
    readonly topology: Topology,
    /** Every resource the network was built from: its id, type and the model's name for it. */
    readonly names: readonly {
      readonly id: string;
      readonly type: string;
      readonly name: string;
    }[],
  ) {
    for (const { id, type, name } of names) {
      const key = type.toLowerCase();
      const byName = this.idsByName.get(key) ?? new Map<string, string>();
      byName.set(name.toLowerCase(), id);
      this.idsByName.set(key, byName);
      this.namesById.set(id.toLowerCase(), name);
    }
  }

  /** The model's name for the resource with this id. */
  nameOf(id: string): string | undefined {
    return this.namesById.get(id.toLowerCase());
  }

  /** The id of the resource of this type the model calls `name`. */
  idOf(type: string, name: string): string | undefined {
    return this.idsByName.get(type.toLowerCase())?.get(name.toLowerCase());
  }

  /** The id of a model subnet (`vnet/subnet`). */
  subnetId(modelId: string): string {
    const [vnet, subnet] = modelId.split("/");
    const vnetId = this.idOf(VNET_TYPE, vnet ?? "") ?? vnet;
    return `${vnetId}/subnets/${subnet}`;
  }

  get verifier(): IpFlowVerifier {
    this.verifierMade ??= new IpFlowVerifier(this.network);
    return this.verifierMade;
  }
}

/** A resource written (its body) or deleted (undefined). */
export interface ResourceChange {
  readonly id: string;
  readonly type: string;
  readonly body: ResourceBody | undefined;
}

/** Builds each subscription's network once per version of the store. */
export class SubscriptionNetworks {
  private readonly built = new Map<
    string,
    { readonly version: string; readonly network: Promise<SubscriptionNetwork> }
  >();

  constructor(private readonly store: Store) {}

  async of(subscription: string): Promise<SubscriptionNetwork> {
    const key = subscription.toLowerCase();
    const version = await this.store.version();
    const kept = this.built.get(key);
    if (kept?.version === version) return kept.network;
    const network = this.build(subscription);
    this.built.set(key, { version, network });
    // A build that failed is not kept: the next question tries again.
    network.catch(() => {
      if (this.built.get(key)?.network === network) this.built.delete(key);
    });
    return network;
  }

  /**
   * The network the subscription would make with resources written (`body`)
   * or deleted (undefined): not kept. Throws as `of` does when it would not
   * make one.
   */
  async buildWith(
    subscription: string,
    ...changes: readonly ResourceChange[]
  ): Promise<SubscriptionNetwork> {
    return this.build(subscription, changes);
  }

  private async build(
    subscription: string,
    changes: readonly ResourceChange[] = [],
  ): Promise<SubscriptionNetwork> {
    const scope = `/subscriptions/${subscription}`;
    let stored: StoredResource[] = [];
    for (const type of MODEL_TYPES) stored.push(...(await this.store.list(type, scope)));
    for (const change of changes) {
      if (change.type === WORKSPACE_TYPE) continue;
      const key = change.id.toLowerCase();
      const kept = stored.find((r) => r.id.toLowerCase() === key);
      stored = stored.filter((r) => r !== kept);
      if (change.body !== undefined)
        stored.push({
          id: kept?.id ?? change.id,
          type: change.type,
          body: change.body,
          etag: "",
          revision: 0,
          changedAt: "",
        });
    }
    // The workspace's environments (as a change gives it, or as stored) stand in its subnets.
    const workspaceKey = workspaceId(subscription).toLowerCase();
    const workspaceChange = changes.find((c) => c.id.toLowerCase() === workspaceKey);
    const workspace = workspaceChange
      ? workspaceChange.body
      : (await this.store.get(workspaceId(subscription)))?.body;
    const environments = parseEnvironments(workspace);
    const { resources, names } = uniquelyNamed(stored);
    const imported = importArm(JSON.stringify(resources), "stored resources");
    const topology: Topology = {
      ...imported.topology,
      environments: [...imported.topology.environments, ...environments],
    };
    const built = buildNetwork(topology, ServiceTagCatalog.symbolic);
    // No resource at all is an empty network, not a document without resources.
    const read = resources.length === 0 ? [] : imported.diagnostics;
    const placed = new Set(environments.map((e) => e.name));
    const errors = [...read, ...built.diagnostics].filter(
      (d: Diagnostic) => d.severity === "error",
    );
    if (!built.network || errors.length > 0) {
      const first = errors[0];
      // A write that would leave the network broken is a bad request; a stored network that is, a conflict.
      throw new ArmError(
        changes.length > 0 ? 400 : 409,
        first?.code ?? "InvalidNetwork",
        changes.length > 0
          ? `After this write, the resources of subscription ${subscription} would not make a whole network: ${first?.message ?? "unknown error"}`
          : `The resources stored in subscription ${subscription} do not make a network tierwall can evaluate: ${first?.message ?? "unknown error"}`,
        errors.map((d) => ({ code: d.code, message: d.message })),
      );
    }
    return new SubscriptionNetwork(built.network, topology, [
      ...names,
      ...[...placed].map((name) => ({
        id: `${workspaceId(subscription)}/environments/${name}`,
        type: ENVIRONMENT_TYPE,
        name,
      })),
    ]);
  }
}

/**
 * The resources as ARM JSON for the importer, where no two of a type share a
 * name: the later ones renamed, and every reference to them rewritten.
 */
function uniquelyNamed(stored: readonly StoredResource[]): {
  resources: unknown[];
  names: { id: string; type: string; name: string }[];
} {
  const taken = new Set<string>();
  const renamed = new Map<string, string>();
  const names: { id: string; type: string; name: string }[] = [];
  for (const r of stored) {
    const original = r.id.split("/").pop() as string;
    const typeKey = r.type.toLowerCase();
    let name = original;
    for (let k = 2; taken.has(`${typeKey}/${name.toLowerCase()}`); k++) name = `${original}.${k}`;
    taken.add(`${typeKey}/${name.toLowerCase()}`);
    if (name !== original)
      renamed.set(r.id.toLowerCase(), `${r.id.slice(0, -original.length)}${name}`);
    names.push({ id: r.id, type: r.type, name });
  }
  const resources = stored.map(asResource);
  if (renamed.size === 0) return { resources, names };
  const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pattern = new RegExp(
    `(${[...renamed.keys()]
      .sort((a, b) => b.length - a.length)
      .map(literal)
      .join("|")})(?=["/])`,
    "gi",
  );
  const text = JSON.stringify(resources).replace(
    pattern,
    (id) => renamed.get(id.toLowerCase()) ?? id,
  );
  const rewritten = JSON.parse(text) as Record<string, unknown>[];
  for (const [i, r] of rewritten.entries()) {
    const name = names[i]?.name;
    if (name !== undefined) r.name = name;
  }
  return { resources: rewritten, names };
}
