import { type IpAddress, parseIpAddress } from "../net/address.js";
import { formatPrefix, type Prefix, parsePrefix } from "../net/prefix.js";
import { type Diagnostic, error, type ValuePath, warning } from "./diagnostic.js";
import { duplicateNames } from "./names.js";
import { nameProblem } from "./rule.js";
import { isBuiltInTag, type ServiceTagCatalog } from "./service-tags.js";
import type { NextHopType, RouteTable } from "./types.js";

/** Azure's limit on the routes of one route table. */
export const ROUTES_PER_TABLE = 400;

/** A user-defined route, resolved: the blocks it matches (one, or a service tag's) and its next hop. */
export interface RouteInfo {
  readonly name: string;
  readonly table: string;
  /** As written: a CIDR block or a service tag. */
  readonly addressPrefix: string;
  readonly prefixes: readonly Prefix[];
  readonly nextHopType: NextHopType;
  readonly nextHopIpAddress?: IpAddress;
}

export interface RouteTableInfo {
  readonly name: string;
  readonly path: ValuePath;
  readonly routes: readonly RouteInfo[];
  readonly disableBgpRoutePropagation: boolean;
}

/**
 * Checks route tables as Azure does when they are deployed and resolves their
 * routes. A route Azure would refuse is reported and left out of its table.
 */
export function resolveRouteTables(
  tables: readonly RouteTable[],
  serviceTags: ServiceTagCatalog,
): { tables: Map<string, RouteTableInfo>; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const out = new Map<string, RouteTableInfo>();
  const duplicates = duplicateNames("routeTables", "route table", tables);
  tables.forEach((table, i) => {
    const path: ValuePath = ["routeTables", i];
    const bad = nameProblem("route table", table.name, [...path, "name"]);
    if (bad) diagnostics.push(bad);
    const duplicate = duplicates.get(i);
    if (duplicate) {
      diagnostics.push(duplicate);
      return;
    }
    const label = `route table ${table.name}`;
    if (table.routes.length > ROUTES_PER_TABLE)
      diagnostics.push(
        error(
          "RouteTableLimitExceeded",
          `${label} has ${table.routes.length} routes; at most ${ROUTES_PER_TABLE} are allowed`,
          [...path, "routes"],
        ),
      );
    const routeNames = new Map<string, number>();
    const prefixesSeen = new Map<string, string>();
    const routes: RouteInfo[] = [];
    table.routes.forEach((route, j) => {
      const rPath: ValuePath = [...path, "routes", j];
      const rLabel = `${label}: route ${route.name}`;
      const badName = nameProblem("route", route.name, [...rPath, "name"]);
      if (badName) diagnostics.push(badName);
      const key = route.name.toLowerCase();
      const earlier = routeNames.get(key);
      if (earlier !== undefined)
        diagnostics.push(
          error(
            "DuplicateResourceName",
            `${rLabel} is defined twice (also at routes[${earlier}])`,
            [...rPath, "name"],
          ),
        );
      else routeNames.set(key, j);
      const prefixes = routePrefixes(route.addressPrefix, serviceTags, rLabel, rPath, diagnostics);
      const hop = nextHop(route, rLabel, rPath, prefixes, diagnostics);
      if (!prefixes || hop === false || earlier !== undefined) return;
      const same = prefixesSeen.get(route.addressPrefix.toLowerCase());
      if (same !== undefined) {
        // Two routes of one table for the same destinations would leave the choice open.
        diagnostics.push(
          error(
            "RouteConflict",
            `${rLabel} has the address prefix ${route.addressPrefix} of route ${same}; a route table holds one route per prefix`,
            [...rPath, "addressPrefix"],
          ),
        );
        return;
      }
      prefixesSeen.set(route.addressPrefix.toLowerCase(), route.name);
      routes.push({
        name: route.name,
        table: table.name,
        addressPrefix: route.addressPrefix,
        prefixes,
        nextHopType: route.nextHopType,
        ...(hop ? { nextHopIpAddress: hop } : {}),
      });
    });
    out.set(table.name, {
      name: table.name,
      path,
      routes,
      disableBgpRoutePropagation: table.disableBgpRoutePropagation === true,
    });
  });
  return { tables: out, diagnostics };
}

/** The blocks a route matches: its CIDR block, or the prefixes of the service tag it names. */
function routePrefixes(
  text: string,
  serviceTags: ServiceTagCatalog,
  label: string,
  path: ValuePath,
  diagnostics: Diagnostic[],
): Prefix[] | undefined {
  const at = [...path, "addressPrefix"];
  const parsed = parsePrefix(text);
  if (parsed.ok) {
    // A bare address is a single host; Azure's routes always carry the length.
    if (!text.includes("/"))
      diagnostics.push(
        error(
          "InvalidRouteAddressPrefix",
          `${label}: ${JSON.stringify(text)} has no prefix length`,
          at,
          `write ${formatPrefix(parsed.prefix)}`,
        ),
      );
    return text.includes("/") ? [parsed.prefix] : undefined;
  }
  // Text of address characters is a CIDR block written wrong; other text is a tag (Storage.WestUS2).
  if (parsed.problem === "hostBits" || (/^[0-9a-fA-F:./]+$/.test(text) && /[.:]/.test(text))) {
    diagnostics.push(
      error(
        "InvalidRouteAddressPrefix",
        `${label}: ${JSON.stringify(text)} is not a valid CIDR block${parsed.problem === "hostBits" ? " (host bits are set)" : ""}`,
        at,
      ),
    );
    return undefined;
  }
  if (isBuiltInTag(text)) {
    diagnostics.push(
      error(
        "UnknownServiceTag",
        `${label}: ${text} is a tag of NSG rules, not a service tag a route can name`,
        at,
        "a route names a CIDR block or a service tag",
      ),
    );
    return undefined;
  }
  const tagged = serviceTags.prefixes(text);
  if (tagged) return [...tagged];
  // Azure's routes also take tags no published list holds (CorpNetSaw, in SQL
  // Managed Instance's routes): no address of the spec can be known to be one
  // of theirs, so the route is named and left out.
  diagnostics.push(
    warning(
      "UnknownServiceTag",
      `${label}: the addresses of service tag ${JSON.stringify(text)} are not known, so the route is left out; packets to them follow the other routes`,
      at,
      "name a service-tags file that lists it (serviceTags in the spec)",
    ),
  );
  return undefined;
}

/** The appliance's address (VirtualAppliance), none (other types), or false when the route is refused. */
function nextHop(
  route: RouteTable["routes"][number],
  label: string,
  path: ValuePath,
  prefixes: readonly Prefix[] | undefined,
  diagnostics: Diagnostic[],
): IpAddress | undefined | false {
  const at = [...path, "nextHopIpAddress"];
  if (route.nextHopType !== "VirtualAppliance") {
    if (route.nextHopIpAddress === undefined || route.nextHopIpAddress === "") return undefined;
    diagnostics.push(
      error(
        "InvalidNextHopIpAddress",
        `${label}: a next hop address is given only with nextHopType VirtualAppliance, not ${route.nextHopType}`,
        at,
      ),
    );
    return false;
  }
  if (route.nextHopIpAddress === undefined) {
    diagnostics.push(
      error(
        "InvalidNextHopIpAddress",
        `${label}: nextHopType VirtualAppliance needs the appliance's nextHopIpAddress`,
        path,
      ),
    );
    return false;
  }
  const address = parseIpAddress(route.nextHopIpAddress);
  if (!address) {
    diagnostics.push(
      error(
        "InvalidNextHopIpAddress",
        `${label}: ${JSON.stringify(route.nextHopIpAddress)} is not an IP address`,
        at,
      ),
    );
    return false;
  }
  if (prefixes?.length && prefixes.every((p) => p.family !== address.family)) {
    diagnostics.push(
      error(
        "InvalidNextHopIpAddress",
        `${label}: the appliance's address is IPv${address.family} and the route's destinations are not`,
        at,
      ),
    );
    return false;
  }
  return address;
}
