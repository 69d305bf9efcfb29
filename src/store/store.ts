/**
 * The server's durable state, behind one interface: ARM resources by id,
 * every change a revision (who, when, the resource before and after), writes
 * guarded by ARM's etags, and the API's tokens, kept hashed. Two
 * implementations hold it: SQLite (sqlite.ts, the embedded default) and
 * PostgreSQL (postgres.ts), and one suite of tests holds both to the same
 * behaviour (test/support/store-contract.ts).
 *
 * Resource ids are matched without regard to case, as ARM matches them, and
 * kept as first written.
 */
import { randomUUID } from "node:crypto";

/** A resource's JSON, as the API takes and gives it. */
export type ResourceBody = { readonly [key: string]: unknown };

export interface StoredResource {
  /** The ARM id (`/subscriptions/.../providers/Microsoft.Network/networkSecurityGroups/NAME`), as first written. */
  readonly id: string;
  /** `Microsoft.Network/networkSecurityGroups` and the like. */
  readonly type: string;
  readonly body: ResourceBody;
  /** ARM's form: `W/"<uuid>"`, new at every write. */
  readonly etag: string;
  /** The revision that wrote it. */
  readonly revision: number;
  /** ISO 8601. */
  readonly changedAt: string;
}

export interface Revision {
  /** Numbered across the store, in the order written. */
  readonly revision: number;
  readonly id: string;
  readonly type: string;
  /** ISO 8601. */
  readonly at: string;
  /** Who wrote it: a token's name. */
  readonly actor: string;
  /** The resource before and after; undefined where it did not exist (created, deleted). */
  readonly before: ResourceBody | undefined;
  readonly after: ResourceBody | undefined;
  /** The revision it restored the resource to, for a restore. */
  readonly restoredFrom?: number;
  /** What the writer recorded about the change (the server: its semantic diff). */
  readonly note?: ResourceBody;
}

/** Who writes, and on what condition (ARM's If-Match and If-None-Match). */
export interface WriteConditions {
  readonly actor: string;
  /** The etag the writer read, or `*`: the resource must exist with it. */
  readonly ifMatch?: string;
  /** `*`: the resource must not exist. */
  readonly ifNoneMatch?: string;
  /** Kept with the revision the write makes (Revision.note). */
  readonly note?: ResourceBody;
}

/** A write refused because its condition does not hold: HTTP 412. */
export class PreconditionFailed extends Error {
  constructor(
    readonly id: string,
    message: string,
  ) {
    super(message);
    this.name = "PreconditionFailed";
  }
}

/** A restore of a revision that is not the resource's. */
export class RevisionNotFound extends Error {
  constructor(
    readonly id: string,
    readonly revision: number,
  ) {
    super(`revision ${revision} is not one of ${id}'s`);
    this.name = "RevisionNotFound";
  }
}

/** A token named as one that exists. */
export class TokenExists extends Error {
  constructor(readonly tokenName: string) {
    super(`a token named ${tokenName} exists`);
    this.name = "TokenExists";
  }
}

export type Role = "reader" | "writer" | "admin";
export const ROLES: readonly Role[] = ["reader", "writer", "admin"];

export interface TokenRecord {
  readonly name: string;
  readonly role: Role;
  /** SHA-256 of the token, hex: the token itself is never kept. */
  readonly hash: string;
  /** ISO 8601. */
  readonly createdAt: string;
}

export interface Store {
  get(id: string): Promise<StoredResource | undefined>;
  /** The resources of a type under a scope (`/subscriptions/S` or `/subscriptions/S/resourceGroups/G`), by id. */
  list(type: string, scope: string): Promise<StoredResource[]>;
  /** Creates or replaces the resource, if the conditions hold. */
  put(
    id: string,
    type: string,
    body: ResourceBody,
    conditions: WriteConditions,
  ): Promise<{ readonly resource: StoredResource; readonly created: boolean }>;
  /** Deletes the resource, if the conditions hold; what it was, or undefined when there was none. */
  remove(id: string, conditions: WriteConditions): Promise<StoredResource | undefined>;
  /** The resource's revisions, oldest first (also after it was deleted). */
  history(id: string): Promise<Revision[]>;
  /**
   * Puts the resource back as one of its revisions left it (deleting it, if
   * that revision deleted it), as a new revision, if the conditions hold.
   */
  restore(id: string, revision: number, conditions: WriteConditions): Promise<Revision>;
  /**
   * A value that changes whenever anything stored changes (a resource or a
   * token), by this process or another: what is read or computed from the
   * store can be kept until it does, even when another server (or `serve
   * token revoke`) writes to the same store.
   */
  version(): Promise<string>;

  /** Adds the token; TokenExists when one has its name. */
  addToken(token: TokenRecord): Promise<void>;
  /** The token with this hash. */
  tokenByHash(hash: string): Promise<TokenRecord | undefined>;
  tokens(): Promise<TokenRecord[]>;
  /** True when there was one by that name. */
  removeToken(name: string): Promise<boolean>;

  close(): Promise<void>;
}

/** A new etag, in ARM's form. */
export const newEtag = (): string => `W/"${randomUUID()}"`;

/** The key a resource id is found by: ARM ids do not depend on case. */
export const resourceKey = (id: string): string => id.toLowerCase();

/** The key of a scope, ending in a slash, so that `/subscriptions/a` does not hold `/subscriptions/ab/...`. */
export const scopeKey = (scope: string): string => `${scope.toLowerCase().replace(/\/+$/, "")}/`;

/**
 * Whether a write may go ahead on what is stored: the reason it may not, or
 * undefined. Shared by every store, so that all refuse alike.
 */
export function conditionProblem(
  id: string,
  current: { readonly etag: string } | undefined,
  conditions: WriteConditions,
): string | undefined {
  const { ifMatch, ifNoneMatch } = conditions;
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch !== "*") return `If-None-Match takes only *, not ${ifNoneMatch}`;
    if (current) return `${id} exists, and If-None-Match: * asks that it does not`;
  }
  if (ifMatch !== undefined) {
    if (!current) return `${id} does not exist, and If-Match asks for ${ifMatch}`;
    if (ifMatch !== "*" && ifMatch !== current.etag)
      return `${id} has changed since it was read: its etag is ${current.etag}, not ${ifMatch}`;
  }
  return undefined;
}
