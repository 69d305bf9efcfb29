/**
 * Route tables in ARM JSON (templates, and `az network route-table show/list`
 * output, where each route's properties are lifted): the routes written inline
 * or as child resources (`routeTables/routes`), in any order, and whether the
 * table stops gateway routes.
 */
import type { Severity, ValuePath } from "../../model/diagnostic.js";
import {
  NEXT_HOP_TYPES,
  type NextHopType,
  type Route,
  type RouteTable,
} from "../../model/types.js";
import { isObject, type JsonObject, pathText } from "../shared/json.js";
import type { LeftOut } from "../shared/left-out.js";
import type { Origin, Origins } from "../shared/origins.js";

export const ROUTE_TABLE_TYPE = "Microsoft.Network/routeTables";
export const ROUTE_TYPE = "Microsoft.Network/routeTables/routes";
export const ROUTE_TABLE_TYPES = [ROUTE_TABLE_TYPE, ROUTE_TYPE];

/** An item of a list property, as resources.ts gives it (written, or made by a copy loop). */
export interface RouteListItem {
  readonly raw: unknown;
  readonly path: ValuePath;
}

/** What reading a route table needs of the template reader (resources.ts). */
export interface RouteTableReading {
  /** A value, reported (with what it leaves out) when not known. */
  value(obj: JsonObject, key: string, path: ValuePath): unknown;
  /** A name; what cannot be known in it is a placeholder. */
  name(obj: JsonObject, key: string, path: ValuePath): string | undefined;
  /** A value when it is statically known, without reporting; undefined otherwise. */
  peek(raw: unknown): unknown;
  props(resource: JsonObject): { obj: JsonObject; at: string[] };
  report(severity: Severity, code: string, message: string, path: ValuePath): void;
  /** Runs `read` with what its unknown values leave out; whether every value it met was known. */
  whole(leftOut: LeftOut, read: () => void): boolean;
  /** Runs `read` in the copy of a property copy loop that made the item. */
  inCopy(item: RouteListItem, read: () => void): void;
  readonly at: (path: ValuePath) => Origin;
}

interface Draft {
  name: string;
  location?: string;
  declared: boolean;
  routes: Route[];
  disableBgpRoutePropagation?: boolean;
}

/**
 * A route left out may have dropped or diverted packets the spec now routes
 * plainly: counted with resources of unknown kind, which widen.
 */
const routeLeftOut = (what: string): LeftOut => ({ kind: "resources", what });

export class RouteTableReader {
  private readonly drafts = new Map<string, Draft>();

  constructor(
    readonly reading: RouteTableReading,
    private readonly origins: Origins,
  ) {}

  /** A route table resource, with the routes it lists. */
  table(
    r: JsonObject,
    path: ValuePath,
    name: string,
    location: string | undefined,
    items: (key: string) => RouteListItem[],
  ): void {
    const draft = this.draft(name, path);
    if (draft.declared) {
      this.reading.report(
        "error",
        "DuplicateResourceName",
        `${pathText(path)}: route table ${JSON.stringify(name)} is declared twice`,
        [...path, "name"],
      );
      return;
    }
    draft.declared = true;
    if (location !== undefined) draft.location = location;
    const { obj, at } = this.reading.props(r);
    const base = [...path, ...at];
    const disable = this.reading.value(obj, "disableBgpRoutePropagation", base);
    if (typeof disable === "boolean") draft.disableBgpRoutePropagation = disable;
    else if (disable !== undefined && disable !== null)
      this.wrongType("disableBgpRoutePropagation", "a boolean", [
        ...base,
        "disableBgpRoutePropagation",
      ]);
    this.origins.record(draft, this.reading.at(path), {
      name: this.reading.at([...path, "name"]),
      disableBgpRoutePropagation: this.reading.at([...base, "disableBgpRoutePropagation"]),
    });
    for (const item of items("routes"))
      this.reading.inCopy(item, () => {
        const route = this.route(item.raw, item.path, name);
        if (route) draft.routes.push(route);
      });
  }

  /** A route declared as a resource of its own (`table/route`). */
  child(r: JsonObject, path: ValuePath, segments: readonly string[]): void {
    const table = segments[0] as string;
    const route = this.route(r, path, table, segments[segments.length - 1]);
    if (route) this.draft(table, path).routes.push(route);
  }

  /** What the topology holds of route tables: left out when none was read. */
  topologyPart(): { routeTables?: RouteTable[] } {
    const routeTables = this.routeTables();
    return routeTables.length > 0 ? { routeTables } : {};
  }

  /** The route tables read; one only child routes name is kept, as Azure needs it to exist. */
  routeTables(): RouteTable[] {
    return [...this.drafts.values()].map((d) => {
      const table: RouteTable = {
        name: d.name,
        ...(d.location === undefined ? {} : { location: d.location }),
        routes: d.routes,
        ...(d.disableBgpRoutePropagation === undefined
          ? {}
          : { disableBgpRoutePropagation: d.disableBgpRoutePropagation }),
      };
      this.origins.carry(d, table);
      return table;
    });
  }

  private draft(name: string, path: ValuePath): Draft {
    const key = name.toLowerCase();
    let draft = this.drafts.get(key);
    if (!draft) {
      draft = { name, declared: false, routes: [] };
      this.origins.record(draft, this.reading.at(path), {});
      this.drafts.set(key, draft);
    }
    return draft;
  }

  /** One route; left out (and named) when a value that decides it cannot be known. */
  private route(
    raw: unknown,
    path: ValuePath,
    table: string,
    givenName?: string,
  ): Route | undefined {
    if (!isObject(raw)) {
      this.wrongType("a route", "an object", path);
      return undefined;
    }
    const { obj, at } = this.reading.props(raw);
    const base = [...path, ...at];
    let name = givenName;
    let addressPrefix: unknown;
    let nextHopType: unknown;
    let nextHopIpAddress: unknown;
    const known = this.reading.whole(
      routeLeftOut(`a route of route table ${JSON.stringify(table)}`),
      () => {
        name ??= this.reading.name(raw, "name", path);
        addressPrefix = this.reading.value(obj, "addressPrefix", base);
        nextHopType = this.reading.value(obj, "nextHopType", base);
        nextHopIpAddress = this.reading.value(obj, "nextHopIpAddress", base);
      },
    );
    if (!known) return undefined;
    if (name === undefined) {
      this.missing("name", "the route", path);
      return undefined;
    }
    if (typeof addressPrefix !== "string" || addressPrefix === "") {
      if (addressPrefix === undefined) this.missing("addressPrefix", `route ${name}`, base);
      else this.wrongType("addressPrefix", "a string", [...base, "addressPrefix"]);
      return undefined;
    }
    const hop = this.nextHopType(nextHopType, name, base);
    if (hop === undefined) return undefined;
    if (
      nextHopIpAddress !== undefined &&
      nextHopIpAddress !== null &&
      typeof nextHopIpAddress !== "string"
    ) {
      this.wrongType("nextHopIpAddress", "a string", [...base, "nextHopIpAddress"]);
      return undefined;
    }
    const route: Route = {
      name,
      addressPrefix,
      nextHopType: hop,
      // az output writes an empty or null address for next hops that take none.
      ...(typeof nextHopIpAddress === "string" && nextHopIpAddress !== ""
        ? { nextHopIpAddress }
        : {}),
    };
    this.origins.record(route, this.reading.at(path), {
      name: this.reading.at(givenName === undefined ? [...path, "name"] : path),
      addressPrefix: this.reading.at([...base, "addressPrefix"]),
      nextHopType: this.reading.at([...base, "nextHopType"]),
      nextHopIpAddress: this.reading.at([...base, "nextHopIpAddress"]),
    });
    return route;
  }

  /** Azure's next hop types compare without case; the model writes them as Azure documents them. */
  private nextHopType(value: unknown, route: string, base: ValuePath): NextHopType | undefined {
    if (value === undefined) {
      this.missing("nextHopType", `route ${route}`, base);
      return undefined;
    }
    const found =
      typeof value === "string"
        ? NEXT_HOP_TYPES.find((t) => t.toLowerCase() === value.toLowerCase())
        : undefined;
    if (found === undefined)
      this.reading.report(
        "error",
        "InvalidNextHopType",
        `${pathText([...base, "nextHopType"])}: ${JSON.stringify(value)} is not a next hop type (${NEXT_HOP_TYPES.join(", ")})`,
        [...base, "nextHopType"],
      );
    return found;
  }

  private wrongType(key: string, what: string, path: ValuePath): void {
    this.reading.report(
      "error",
      "InvalidPropertyType",
      `${pathText(path)}: ${key} should be ${what}`,
      path,
    );
  }

  private missing(key: string, what: string, path: ValuePath): void {
    this.reading.report(
      "error",
      "MissingProperty",
      `${pathText(path) || "the resource"}: ${what} has no ${key}`,
      path,
    );
  }
}

/**
 * A peering's flags beyond allowVirtualNetworkAccess, those that are true. One
 * not known is read the way that hides no path: allowForwardedTraffic as true
 * (forwarded traffic crosses), the gateway flags as false (no gateway is used
 * through the peer, which Azure also refuses unless both sides agree).
 */
export function peeringFlags(
  obj: JsonObject,
  base: ValuePath,
  reader: RouteTableReader,
): { allowForwardedTraffic?: true; allowGatewayTransit?: true; useRemoteGateways?: true } {
  const flag = (key: string, unknownAs: boolean, reading: string): boolean => {
    if (obj[key] === undefined || obj[key] === null) return false;
    const value = reader.reading.peek(obj[key]);
    if (typeof value === "boolean") return value;
    reader.reading.report(
      "warning",
      "ExpressionNotStaticallyKnown",
      `${pathText([...base, key])}: cannot be known without deploying; it is read as ${unknownAs}, ${reading}`,
      [...base, key],
    );
    return unknownAs;
  };
  return {
    ...(flag("allowForwardedTraffic", true, "which lets forwarded traffic cross the peering")
      ? { allowForwardedTraffic: true }
      : {}),
    ...(flag("allowGatewayTransit", false, "which lets no peer use this network's gateway")
      ? { allowGatewayTransit: true }
      : {}),
    ...(flag("useRemoteGateways", false, "which uses no gateway of the remote network")
      ? { useRemoteGateways: true }
      : {}),
  };
}
