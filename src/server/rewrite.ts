/**
 * A child resource (an NSG's rule, a virtual network's subnet) is written by
 * rewriting its parent under the etag just read, so that a concurrent write
 * is never lost: with the caller's If-Match, a stale etag is the caller's
 * 412; without one, the rewrite is done again on what is there now.
 */
import {
  PreconditionFailed,
  type ResourceBody,
  type Store,
  type StoredResource,
  type WriteConditions,
} from "../store/store.js";

/** Tries before a rewrite without If-Match gives up to others' writes (and answers 412). */
const ATTEMPTS = 20;

/**
 * Reads the parent (`read`), makes its next body (`next`; undefined: nothing
 * to write) and writes it under the etag read. The resource written, or
 * undefined when there was nothing to write.
 */
export async function rewriteParent(
  store: Store,
  id: string,
  type: string,
  given: WriteConditions,
  read: () => Promise<StoredResource>,
  next: (stored: StoredResource) => Promise<ResourceBody | undefined> | ResourceBody | undefined,
): Promise<StoredResource | undefined> {
  for (let attempt = 1; ; attempt++) {
    const stored = await read();
    const body = await next(stored);
    if (body === undefined) return undefined;
    try {
      const { resource } = await store.put(id, type, body, {
        ...given,
        ifMatch: given.ifMatch ?? stored.etag,
      });
      return resource;
    } catch (e) {
      if (!(e instanceof PreconditionFailed) || given.ifMatch !== undefined || attempt >= ATTEMPTS)
        throw e;
    }
  }
}
