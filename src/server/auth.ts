/**
 * The API's tokens: random, shown once when made, kept only as their
 * SHA-256; each with a role. Readers read; writers also write; admins also
 * manage what is not a resource (tokens, restores of other people's work).
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Role, Store, TokenRecord } from "../store/store.js";

/** The prefix of every token, so that one pasted in the wrong place is known for what it is. */
const PREFIX = "tw_";

export const hashToken = (token: string): string =>
  createHash("sha256").update(token, "utf8").digest("hex");

/** Makes a token, keeps its hash under `name`, and gives the token: the only time it is seen. */
export async function createToken(store: Store, name: string, role: Role): Promise<string> {
  const token = `${PREFIX}${randomBytes(32).toString("base64url")}`;
  await store.addToken({ name, role, hash: hashToken(token), createdAt: new Date().toISOString() });
  return token;
}

const RANK: Readonly<Record<Role, number>> = { reader: 0, writer: 1, admin: 2 };

/** Whether a token's role allows what `needed` allows. */
export const allows = (role: Role, needed: Role): boolean => RANK[role] >= RANK[needed];

/** The token an `Authorization: Bearer ...` header names, if the store knows it. */
export async function bearer(
  store: Store,
  header: string | undefined,
): Promise<TokenRecord | undefined> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  if (!match) return undefined;
  return store.tokenByHash(hashToken(match[1] as string));
}

/** A token made for one run of the server (kept nowhere), shown in the web page's URL. */
export const makeSessionToken = (): string => `${PREFIX}${randomBytes(32).toString("base64url")}`;

/** Whether a header carries the session token: its record (admin) if so. Compared in constant time. */
export function sessionTokenCheck(
  token: string,
): (header: string | undefined) => TokenRecord | undefined {
  const expected = Buffer.from(hashToken(token), "hex");
  const record: TokenRecord = { name: "web session", role: "admin", hash: "", createdAt: "" };
  return (header) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
    if (!match) return undefined;
    return timingSafeEqual(Buffer.from(hashToken(match[1] as string), "hex"), expected)
      ? record
      : undefined;
  };
}
