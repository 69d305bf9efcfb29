/**
 * Guarded writes: every write that may change what a subscription's network
 * allows (an NSG, a virtual network, an interface, an ASG) is judged before it
 * is stored. The network with the write is built and compared with the
 * network without it: an assertion of the workspace that held and would no
 * longer hold refuses the write (409 AssertionViolated, naming the assertion,
 * a packet that shows it and the rule that decided that packet) unless the
 * writer accepts the break (`x-tierwall-accept-break: NAME, ...` or `*`). The
 * semantic diff of every judged write (newly allowed, newly denied) is kept
 * with its revision.
 *
 * Judging and storing are two steps: two writes to different resources at
 * the same moment are each judged without the other (a write to the same
 * resource is kept apart by its etag).
 */
import { rulesChanged, semanticDiff, semanticDiffJson } from "../analysis/diff.js";
import type {
  ResourceBody,
  Revision,
  Store,
  StoredResource,
  TokenRecord,
  WriteConditions,
} from "../store/store.js";
import { ArmError } from "./errors.js";
import { MODEL_TYPES, type SubscriptionNetworks } from "./subscription-network.js";
import { outcomeJson, outcomesOn, statusOf } from "./workspace.js";
import { workspaceAssertions } from "./workspace-body.js";

/** A write's conditions, with the assertions its writer accepts breaking (names, or `*`). */
export interface GuardedConditions extends WriteConditions {
  readonly acceptBreaks?: readonly string[];
}

const subscriptionOf = (id: string) => id.split("/")[2] ?? "";

export class GuardedStore implements Store {
  private readonly modelTypes = new Set(MODEL_TYPES.map((t) => t.toLowerCase()));

  constructor(
    private readonly inner: Store,
    private readonly networks: SubscriptionNetworks,
  ) {}

  /** The note to keep with the write's revision; throws AssertionViolated for an unaccepted break. */
  private async judge(
    id: string,
    type: string,
    after: ResourceBody | undefined,
    conditions: GuardedConditions,
  ): Promise<ResourceBody | undefined> {
    if (!this.modelTypes.has(type.toLowerCase())) return undefined;
    const subscription = subscriptionOf(id);
    let before: Awaited<ReturnType<SubscriptionNetworks["of"]>>;
    try {
      before = await this.networks.of(subscription);
    } catch (e) {
      // What is stored does not make a network now: nothing to compare with, nothing to guard.
      if (e instanceof ArmError)
        return { notJudged: `the network stored before this write is not whole: ${e.message}` };
      throw e;
    }
    const next = await this.networks.buildWith(subscription, { id, type, body: after });
    const assertions = await workspaceAssertions(this.inner, subscription);
    const was = outcomesOn(before.network, assertions);
    const now = outcomesOn(next.network, assertions);
    const broken = now.filter(
      (o, i) => statusOf(o) !== "held" && was[i] !== undefined && statusOf(was[i]) === "held",
    );
    const accepted = conditions.acceptBreaks ?? [];
    const acceptedAll = accepted.includes("*");
    const refused = broken
      .map(outcomeJson)
      .filter(
        (o) => !acceptedAll && !accepted.some((a) => a.toLowerCase() === o.name.toLowerCase()),
      );
    if (refused.length > 0)
      throw new ArmError(
        409,
        "AssertionViolated",
        `The write would break ${refused.length === 1 ? "the assertion" : `${refused.length} assertions`} of the workspace: ${refused.map((o) => `${o.name} (${o.why})`).join("; ")}. Send x-tierwall-accept-break: NAME (or *) to write it anyway.`,
        refused.map((o) => ({
          code: "AssertionViolated",
          target: o.name,
          message: `${o.name}: ${o.why}${o.witness ? `; for example ${o.witness}` : ""}${o.rule ? `, ${o.access === "Deny" ? "denied" : "allowed"} by ${o.rule}${o.nsg ? ` of ${o.nsg}` : ""}` : ""}`,
          additionalInfo: [{ type: "TierwallAssertionOutcome", info: o }],
        })),
      );
    const diff = semanticDiff(before.network, next.network, rulesChanged(before, next));
    return {
      semanticDiff: semanticDiffJson(diff),
      ...(broken.length > 0 ? { acceptedBreaks: broken.map(outcomeJson) } : {}),
    };
  }

  private static withNote(conditions: WriteConditions, note: ResourceBody | undefined) {
    return note === undefined ? conditions : { ...conditions, note };
  }

  async put(id: string, type: string, body: ResourceBody, conditions: GuardedConditions) {
    const note = await this.judge(id, type, body, conditions);
    return this.inner.put(id, type, body, GuardedStore.withNote(conditions, note));
  }

  async remove(id: string, conditions: GuardedConditions) {
    const current = await this.inner.get(id);
    const note = current ? await this.judge(id, current.type, undefined, conditions) : undefined;
    return this.inner.remove(id, GuardedStore.withNote(conditions, note));
  }

  async restore(id: string, revision: number, conditions: GuardedConditions) {
    const target = (await this.inner.history(id)).find((r) => r.revision === revision);
    const note = target ? await this.judge(id, target.type, target.after, conditions) : undefined;
    return this.inner.restore(id, revision, GuardedStore.withNote(conditions, note));
  }

  get(id: string): Promise<StoredResource | undefined> {
    return this.inner.get(id);
  }
  list(type: string, scope: string): Promise<StoredResource[]> {
    return this.inner.list(type, scope);
  }
  history(id: string): Promise<Revision[]> {
    return this.inner.history(id);
  }
  version(): Promise<string> {
    return this.inner.version();
  }
  addToken(token: TokenRecord): Promise<void> {
    return this.inner.addToken(token);
  }
  tokenByHash(hash: string): Promise<TokenRecord | undefined> {
    return this.inner.tokenByHash(hash);
  }
  tokens(): Promise<TokenRecord[]> {
    return this.inner.tokens();
  }
  removeToken(name: string): Promise<boolean> {
    return this.inner.removeToken(name);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
