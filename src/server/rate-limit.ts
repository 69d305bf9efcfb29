/**
 * Requests per second, per caller (a token's name, or the address of a
 * caller without a valid one): a bucket of `burst` requests refilled at
 * `perSecond`, so that one client cannot starve the others or try tokens
 * without end. In memory: a restart forgets, which is fine for a limit.
 */
export interface RateLimitOptions {
  readonly perSecond: number;
  readonly burst: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { perSecond: 200, burst: 400 };

/** Callers kept before the least recently seen are forgotten. */
const MAX_CALLERS = 10_000;

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly options: RateLimitOptions = DEFAULT_RATE_LIMIT,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Takes one request from the caller's bucket: 0 when it may go, else the seconds to wait. */
  take(caller: string): number {
    const now = this.now();
    const { perSecond, burst } = this.options;
    const bucket = this.buckets.get(caller) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
    bucket.at = now;
    // Kept in the order last seen, so that the first is the one to forget.
    this.buckets.delete(caller);
    this.buckets.set(caller, bucket);
    if (this.buckets.size > MAX_CALLERS) {
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - bucket.tokens) / perSecond);
  }
}
