import { describe, expect, it } from "vitest";
import { tf } from "../../../test/support/terraform.js";
import { MAX_NESTING } from "../../specfile/parse.js";
import { importTerraform } from "./import.js";

/** Locals l0 ... l(n-1), each naming the next, and l(n) = "end". */
const locals = (n: number) =>
  `locals {\n${Array.from({ length: n }, (_, i) => `  l${i} = local.l${i + 1}\n`).join("")}  l${n} = "end"\n}\n`;

const nsg = (name: string) =>
  `resource "azurerm_network_security_group" "g" {\n  name = ${name}\n  location = "x"\n  resource_group_name = "rg"\n}\n`;

/** ASGs a0 ... a(n-1), each named after the next one's name, and a(n) named "end". */
const asgs = (n: number) =>
  Array.from(
    { length: n + 1 },
    (_, i) =>
      `resource "azurerm_application_security_group" "a${i}" {\n  name = ${i === n ? '"end"' : `azurerm_application_security_group.a${i + 1}.name`}\n  location = "x"\n  resource_group_name = "rg"\n}\n`,
  ).join("");

describe("importTerraform: references nested deeply", () => {
  it("follows a chain of references within the limit", async () => {
    const { topology } = await importTerraform([tf(locals(MAX_NESTING - 1) + nsg("local.l0"))]);
    expect(topology.networkSecurityGroups.map((n) => n.name)).toEqual(["end"]);
  });

  it("does not follow one past the limit, and says so where the chain starts", async () => {
    const { topology, diagnostics } = await importTerraform([
      tf(locals(5000) + nsg("local.l0") + asgs(300)),
    ]);
    expect(topology.networkSecurityGroups).toEqual([]);
    const deep = diagnostics.filter((d) => d.message.includes(`${MAX_NESTING} levels, the limit`));
    const where = (d: (typeof deep)[number] | undefined) => [
      d?.location?.line,
      d?.message.split(" is reached")[0],
    ];
    // The NSG's name, on the line after the 5,000 locals, and the first ASG, far from "end".
    expect(deep.map(where)).toContainEqual([
      5005,
      "azurerm_network_security_group.g.name: local.l0",
    ]);
    expect(deep.map(where)).toContainEqual([
      5010,
      "azurerm_application_security_group.a0.name: azurerm_application_security_group.a1.name",
    ]);
    // The ASGs within the limit of "end" are read.
    expect(topology.applicationSecurityGroups.length).toBeGreaterThan(MAX_NESTING - 2);
  });
});
