import { describe, expect, it } from "vitest";
import { AddressSet } from "../net/address-set.js";
import { parsePrefix } from "../net/prefix.js";
import { AZURE_SERVICE_TAGS, publishedTag } from "./azure-service-tags.js";
import { standInAddress, UNKNOWN_PUBLIC_BLOCKS } from "./public-ips.js";
import { isBuiltInTag, ServiceTagCatalog } from "./service-tags.js";
import {
  collidingRegions,
  namedSymbolicTag,
  regionSlot,
  SYMBOLIC_TAG_AREAS,
  symbolicTagLabel,
} from "./symbolic-tags.js";

const set = (name: string) => {
  const tag = namedSymbolicTag(name);
  if (!tag) throw new Error(`${name} is not a published tag`);
  return tag.addresses;
};
const v4 = AddressSet.of([{ family: 4, first: 0n, last: 0xffffffffn }]);
const v6 = AddressSet.of([{ family: 6, first: 0n, last: (1n << 128n) - 1n }]);
const AREA = AddressSet.of([SYMBOLIC_TAG_AREAS[4], SYMBOLIC_TAG_AREAS[6]]);
const block = (text: string) => {
  const parsed = parsePrefix(text);
  if (!parsed.ok) throw new Error(text);
  return AddressSet.of([parsed.prefix]);
};

describe("the service tags Azure publishes", () => {
  it("are listed once each, without the tags built in or the platform's host tags", () => {
    expect(new Set(AZURE_SERVICE_TAGS).size).toBe(AZURE_SERVICE_TAGS.length);
    expect(AZURE_SERVICE_TAGS.filter(isBuiltInTag)).toEqual([]);
    expect(AZURE_SERVICE_TAGS.filter((t) => t.startsWith("AzurePlatform"))).toEqual([]);
    // The service field has 7 bits.
    expect(AZURE_SERVICE_TAGS.length).toBeLessThanOrEqual(128);
    for (const tag of ["Sql", "Storage", "GatewayManager", "AzureCloud", "AzureMonitor"])
      expect(AZURE_SERVICE_TAGS).toContain(tag);
  });

  it("are read by name, regional forms included; other words are not tags", () => {
    expect(publishedTag("Sql")).toMatchObject({ service: "Sql" });
    expect(publishedTag("Sql.WestEurope")).toMatchObject({ service: "Sql", region: "WestEurope" });
    expect(publishedTag("AzureFrontDoor.Frontend")).toMatchObject({
      service: "AzureFrontDoor.Frontend",
    });
    expect(publishedTag("AzureFrontDoor.Frontend.WestEurope")?.region).toBe("WestEurope");
    expect(publishedTag("AzureCloud.centralfrance")?.region).toBe("centralfrance");
    for (const word of [
      "sql",
      "Storge",
      "Sql.",
      "Sql.West Europe",
      "Foo.WestEurope",
      "AzureFrontDoor",
    ])
      expect(publishedTag(word)).toBeUndefined();
  });

  it("are known to a spec without a file, symbolic; a file's tags stay exact", () => {
    const symbolic = ServiceTagCatalog.symbolic;
    expect(symbolic.has("Storage.WestEurope")).toBe(true);
    expect(symbolic.isSymbolic("Storage.WestEurope")).toBe(true);
    expect(symbolic.has("NoSuchTag")).toBe(false);
    const file = ServiceTagCatalog.of([["Storage", block("20.38.0.0/16").toPrefixes()]]);
    expect(file.has("Sql")).toBe(false);
    expect(file.isSymbolic("Storage")).toBe(false);
    expect(file.prefixes("Storage")).toEqual(block("20.38.0.0/16").toPrefixes());
  });
});

describe("symbolic service tags relate as the strict reading says", () => {
  it("stand in their own area, outside the stand-ins of unknown public addresses", () => {
    for (const name of ["Sql", "Storage.WestEurope", "AzureCloud", "AzureCloud.WestEurope"])
      expect(set(name).isSubsetOf(AREA)).toBe(true);
    // Whatever the name, an unknown public address never lands in the tags' area.
    for (const name of ["pip-web", "a", "b", "frontend-pip", "x".repeat(40)])
      for (const family of [4, 6] as const) {
        const address = standInAddress(name, family, AddressSet.empty);
        expect(address && AREA.has(address)).toBe(false);
        expect(address && AddressSet.of([UNKNOWN_PUBLIC_BLOCKS[family]]).has(address)).toBe(true);
      }
  });

  it("are outside private and documentation ranges, so inside Internet wherever networks sit", () => {
    const privates = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"];
    for (const p of privates) expect(set("Sql").overlaps(block(p))).toBe(false);
  });

  it("a regional tag is inside its tag, and two regions do not meet", () => {
    expect(set("Sql.WestEurope").isSubsetOf(set("Sql"))).toBe(true);
    expect(set("Sql.WestEurope").equals(set("Sql"))).toBe(false);
    expect(set("Sql.WestEurope").overlaps(set("Sql.NorthEurope"))).toBe(false);
    // A region's name is Azure's, whatever its case.
    expect(set("Sql.westeurope").equals(set("Sql.WestEurope"))).toBe(true);
    expect(set("AzureCloud.WestEurope").isSubsetOf(set("AzureCloud"))).toBe(true);
  });

  it("two services do not meet", () => {
    expect(set("Sql").overlaps(set("Storage"))).toBe(false);
    expect(set("Sql.WestEurope").overlaps(set("Storage.WestEurope"))).toBe(false);
  });

  it("each other tag is partly inside AzureCloud and partly outside, in IPv4; AzureCloud has no IPv6", () => {
    for (const name of ["Sql", "Storage.WestEurope", "GatewayManager"]) {
      const tag = set(name).intersect(v4);
      expect(tag.overlaps(set("AzureCloud"))).toBe(true);
      expect(tag.isSubsetOf(set("AzureCloud"))).toBe(false);
    }
    expect(set("AzureCloud").intersect(v6).isEmpty()).toBe(true);
    expect(set("Sql").intersect(v6).isEmpty()).toBe(false);
    // AzureCloud.Region holds the inside part of each tag's same region only.
    const inside = set("Storage.WestEurope").intersect(set("AzureCloud"));
    expect(inside.isSubsetOf(set("AzureCloud.WestEurope"))).toBe(true);
    expect(set("Storage.NorthEurope").overlaps(set("AzureCloud.WestEurope"))).toBe(false);
  });

  it("keep their addresses whatever else a spec names (two versions compare)", () => {
    expect(set("Sql").equals(set("Sql"))).toBe(true);
    expect(namedSymbolicTag("Sql")?.addresses.toPrefixes()).toEqual(
      namedSymbolicTag("Sql")?.addresses.toPrefixes(),
    );
    expect(regionSlot("WestEurope")).toBe(regionSlot("westeurope"));
  });

  it("report two regions that would share their place", () => {
    expect(collidingRegions(["Sql.WestEurope", "Storage.westeurope", "Sql"])).toBeUndefined();
    // Find two names with one slot among generated ones: the check must see them.
    const seen = new Map<number, string>();
    let pair: [string, string] | undefined;
    for (let i = 0; !pair; i++) {
      const region = `Region${i}`;
      const other = seen.get(regionSlot(region));
      if (other) pair = [other, region];
      seen.set(regionSlot(region), region);
    }
    expect(collidingRegions([`Sql.${pair[0]}`, `Storage.${pair[1]}`])).toEqual(pair);
  });
});

describe("symbolic addresses are shown by name", () => {
  const named = ["Sql", "Sql.WestEurope", "AzureCloud"].flatMap((n) => namedSymbolicTag(n) ?? []);
  const first = (name: string, inside: boolean) => {
    const part = set(name)
      .intersect(v4)
      .intersect(inside ? set("AzureCloud") : v4.minus(set("AzureCloud")));
    const [interval] = part.intervals(4);
    return { family: 4 as const, value: (interval as readonly [bigint, bigint])[0] };
  };

  it("by the most specific tag the spec names, and where AzureCloud is named, which side of it", () => {
    expect(symbolicTagLabel(first("Sql.WestEurope", false), named)).toBe(
      "<Sql.WestEurope outside AzureCloud>",
    );
    expect(symbolicTagLabel(first("Sql", true), named)).toBe("<Sql in AzureCloud>");
    expect(symbolicTagLabel(first("Sql", false), named.slice(0, 2))).toBe("<Sql>");
    // A tag the spec does not name is shown by its service.
    expect(symbolicTagLabel(first("Storage", false), named.slice(0, 2))).toBe("<Storage>");
    expect(symbolicTagLabel({ family: 4, value: 0x0a000001n }, named)).toBeUndefined();
  });
});
