import { describe, expect, it } from "vitest";
import { AddressNames } from "../model/public-ips.js";
import { type NamedSymbolicTag, namedSymbolicTag } from "../model/symbolic-tags.js";
import { AddressSet } from "../net/address-set.js";
import { parsePrefix } from "../net/prefix.js";
import { formatAddressSet } from "./summary.js";

const tags = (...names: string[]): NamedSymbolicTag[] =>
  names.flatMap((n) => namedSymbolicTag(n) ?? []);
const of = (name: string) => namedSymbolicTag(name)?.addresses ?? AddressSet.empty;
const block = (text: string) => {
  const parsed = parsePrefix(text);
  if (!parsed.ok) throw new Error(text);
  return AddressSet.of([parsed.prefix]);
};
const shown = (set: AddressSet, names: AddressNames) => formatAddressSet(set, names);

describe("sets of symbolic service tags, shown by name", () => {
  const names = new AddressNames(
    [],
    tags("AzureCloud", "Sql", "Sql.WestEurope", "Storage", "Storage.WestEurope"),
  );

  it("whole tags, the widest that fit", () => {
    expect(shown(of("Sql").union(of("Storage.WestEurope")), names)).toEqual([
      "<Sql>",
      "<Storage.WestEurope>",
    ]);
  });

  it("a tag less others, the most specific tag first and only the tags that take something away", () => {
    expect(shown(of("Sql").minus(of("AzureCloud")), names)).toEqual(["<Sql> except <AzureCloud>"]);
    expect(shown(of("Storage.WestEurope").minus(of("AzureCloud")), names)).toEqual([
      "<Storage.WestEurope> except <AzureCloud>",
    ]);
    expect(shown(of("Storage").minus(of("Storage.WestEurope")), names)).toEqual([
      "<Storage> except <Storage.WestEurope>",
    ]);
  });

  it("every Internet address less a tag: the blocks, then what they lack", () => {
    const internet = AddressSet.all.minus(block("10.0.0.0/16"));
    const text = shown(internet.minus(of("Sql")), names);
    expect(text).toContain("except <Sql>");
    expect(text.join()).not.toMatch(/\b2(4[89]|5\d)\.\d+\.\d+\.\d+\//);
  });

  it("no tags named: the area is shown as the blocks it is", () => {
    expect(shown(block("248.0.0.0/5"), AddressNames.none)).toEqual(["248.0.0.0/5"]);
  });
});
