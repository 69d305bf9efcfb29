/**
 * Where the page's estate comes from: data written into the page (a
 * `tierwall report`), or a `tierwall serve` it talks to with a token (from
 * the URL's fragment, as `serve` prints it, or pasted in; kept for the tab's
 * session only).
 */
import type { Suppression } from "../../src/analysis/lint-gate.js";
import type { Topology } from "../../src/model/types.js";
import type { TierSpec } from "../../src/synth/intent.js";

export const API_VERSION = "2024-05-01";

/** What a page is drawn from. */
export interface PageData {
  readonly title: string;
  readonly topology: Topology;
  readonly tiers: readonly TierSpec[];
  /** The assertions as a spec writes them. */
  readonly assertions: readonly unknown[];
  /** Each resource the network was built from (served pages): id, type, model name. */
  readonly resources: readonly { id: string; type: string; name: string }[];
  /** When a report was made. */
  readonly generatedAt?: string;
  /** Each rule's hits in the flow logs a report replayed (`tierwall report --logs`). */
  readonly ruleHits?: readonly RuleHitsData[];
  readonly logs?: readonly string[];
  /** Lint findings accepted on review (a spec's `suppressions`), by check and place. */
  readonly suppressions?: readonly Suppression[];
  /** The service tags the rules name, with their addresses, when the spec gave them (a report's). */
  readonly serviceTags?: unknown;
}

export interface RuleHitsData {
  readonly nsg: string;
  readonly direction: string;
  readonly rule: string;
  readonly isDefault: boolean;
  /** Flows (5-tuples) it decided, and their tuples in the logs. */
  readonly flows: number;
  readonly tuples: number;
}

/** The data a report carries in `<script type="application/json" id="tierwall-data">`. */
export function embeddedData(): PageData | undefined {
  const element = document.getElementById("tierwall-data");
  if (!element?.textContent) return undefined;
  return JSON.parse(element.textContent) as PageData;
}

const TOKEN_KEY = "tierwall.token";

/** The token: taken from `#token=...` (and the fragment cleared), or kept from earlier in this tab. */
export function takeToken(): string | undefined {
  const fragment = new URLSearchParams(window.location.hash.slice(1));
  const given = fragment.get("token");
  if (given) {
    sessionStorage.setItem(TOKEN_KEY, given);
    fragment.delete("token");
    const rest = fragment.toString();
    history.replaceState(null, "", `${window.location.pathname}${rest ? `#${rest}` : ""}`);
    return given;
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

export function keepToken(token: string | undefined): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** An error the API answered with, in ARM's envelope. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: readonly { code?: string; message?: string; target?: string }[] = [],
    readonly additionalInfo: readonly unknown[] = [],
  ) {
    super(message);
  }
}

export interface Answer<T> {
  readonly body: T;
  readonly etag?: string;
}

/** The server's API, ARM-shaped: paths are resource ids or tierwall's actions. */
export class Api {
  constructor(private readonly token: string) {}

  async call<T>(
    method: string,
    path: string,
    options: { body?: unknown; text?: string; headers?: Record<string, string> } = {},
  ): Promise<Answer<T>> {
    const url = `${path}${path.includes("?") ? "&" : "?"}api-version=${API_VERSION}`;
    const response = await fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(options.body !== undefined ? { "content-type": "application/json" } : {}),
        ...(options.text !== undefined ? { "content-type": "text/plain" } : {}),
        ...options.headers,
      },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      ...(options.text !== undefined ? { body: options.text } : {}),
    });
    const text = await response.text();
    const body = text ? (JSON.parse(text) as unknown) : undefined;
    if (!response.ok) {
      const error = (body as { error?: Record<string, unknown> } | undefined)?.error ?? {};
      throw new ApiError(
        response.status,
        String(error.code ?? response.status),
        String(error.message ?? response.statusText),
        (error.details as ApiError["details"]) ?? [],
        (error.additionalInfo as unknown[]) ?? [],
      );
    }
    const etag = response.headers.get("etag") ?? undefined;
    return { body: body as T, ...(etag ? { etag } : {}) };
  }

  async subscriptions(): Promise<string[]> {
    const { body } = await this.call<{ value: { subscriptionId: string }[] }>(
      "GET",
      "/subscriptions",
    );
    return body.value.map((s) => s.subscriptionId);
  }

  /** Imports a file (any format `tierwall import` reads, or a tierwall spec) into a resource group. */
  async importFile(
    subscription: string,
    group: string,
    text: string,
    location: string,
  ): Promise<{ id: string }[]> {
    const query = location.trim() ? `?location=${encodeURIComponent(location.trim())}` : "";
    const { body } = await this.call<{ value: { id: string }[] }>(
      "POST",
      `/subscriptions/${encodeURIComponent(subscription)}/resourceGroups/${encodeURIComponent(group)}/providers/Tierwall/import${query}`,
      { text },
    );
    return body.value;
  }

  async model(subscription: string): Promise<PageData> {
    const { body } = await this.call<{
      topology: Topology;
      workspace: { tiers: TierSpec[]; assertions: unknown[] };
      resources: PageData["resources"];
    }>("GET", `/subscriptions/${subscription}/providers/Tierwall/model`);
    return {
      title: `Subscription ${subscription}`,
      topology: body.topology,
      tiers: body.workspace.tiers,
      assertions: body.workspace.assertions,
      resources: body.resources,
    };
  }
}
