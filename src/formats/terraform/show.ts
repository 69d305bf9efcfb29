/**
 * `terraform show -json` output: a state (`values`) or a plan
 * (`planned_values`). Values there are known, except in a plan those known only
 * after apply; an id of that kind is followed through the configuration's
 * references when it names a resource of the same plan.
 */
import { LineCounter, parseDocument } from "yaml";
import type { Diagnostic, ValuePath } from "../../model/diagnostic.js";
import { armId } from "../../model/resource-id.js";
import { locate } from "../../specfile/locate.js";
import {
  isObject,
  type Place,
  ResourceId,
  type TfObject,
  type TfResource,
  type TfValue,
  ValueBlock,
} from "./values.js";

/** Whether the JSON document is `terraform show -json` output. */
export function isTerraformShow(document: unknown): boolean {
  return (
    isObject(document as TfValue) &&
    typeof (document as TfObject).format_version === "string" &&
    ["values", "planned_values", "resource_changes", "terraform_version"].some(
      (k) => k in (document as TfObject),
    )
  );
}

interface JsonResource {
  address: string;
  mode: string;
  type: string;
  name: string;
  values: TfObject;
  path: ValuePath;
  module: string;
}

/** The resources of a module and its child modules, with their paths in the document. */
function moduleResources(module: unknown, path: ValuePath, out: JsonResource[]): void {
  if (!isObject(module as TfValue)) return;
  const m = module as TfObject;
  const prefix = typeof m.address === "string" ? `${m.address}.` : "";
  if (Array.isArray(m.resources))
    m.resources.forEach((r: TfValue, i: number) => {
      if (!isObject(r) || typeof r.type !== "string" || typeof r.address !== "string") return;
      out.push({
        address: r.address,
        mode: r.mode === "data" ? "data" : "managed",
        type: r.type,
        name: typeof r.name === "string" ? r.name : "",
        values: isObject(r.values) ? r.values : {},
        path: [...path, "resources", i, "values"],
        module: prefix,
      });
    });
  if (Array.isArray(m.child_modules))
    m.child_modules.forEach((c: TfValue, i: number) => {
      moduleResources(c, [...path, "child_modules", i], out);
    });
}

/** The configuration's resources by address, with their expressions, for a plan's references. */
function configured(config: unknown): Map<string, TfObject> {
  const out = new Map<string, TfObject>();
  const walk = (module: unknown, prefix: string) => {
    if (!isObject(module as TfValue)) return;
    const m = module as TfObject;
    if (Array.isArray(m.resources))
      for (const r of m.resources)
        if (isObject(r) && typeof r.address === "string" && isObject(r.expressions))
          out.set(`${prefix}${r.address}`, r.expressions);
    if (isObject(m.module_calls))
      for (const [name, call] of Object.entries(m.module_calls))
        if (isObject(call)) walk(call.module, `${prefix}module.${name}.`);
  };
  if (isObject(config as TfValue)) walk((config as TfObject).root_module, "");
  return out;
}

/** The resources of `terraform show -json` output, ready for the azurerm reader. */
export function showResources(
  document: TfObject,
  text: string,
  file: string,
): { resources: TfResource[]; diagnostics: Diagnostic[] } {
  const plan = isObject(document.planned_values);
  const root = plan ? document.planned_values : document.values;
  const rootPath: ValuePath = [plan ? "planned_values" : "values", "root_module"];
  const found: JsonResource[] = [];
  if (isObject(root)) moduleResources(root.root_module, rootPath, found);
  const diagnostics: Diagnostic[] = [];
  if (found.length === 0)
    diagnostics.push({
      severity: "warning",
      code: "NoResources",
      message: `${file}: this ${plan ? "plan" : "state"} holds no resources`,
      path: rootPath,
    });

  let doc: ReturnType<typeof parseDocument> | undefined;
  const lineCounter = new LineCounter();
  const placeOf = (path: ValuePath): Place["location"] => {
    doc ??= parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
    return { file, ...locate(doc, lineCounter, path) };
  };

  const unknowns = new Map<string, unknown>();
  if (Array.isArray(document.resource_changes))
    for (const c of document.resource_changes)
      if (isObject(c) && typeof c.address === "string" && isObject(c.change))
        unknowns.set(c.address, c.change.after_unknown);
  const expressions = configured(document.configuration);
  const byAddress = new Map(found.map((r) => [r.address, r]));

  /** An id known only after apply, as the configuration's reference to a resource of this plan. */
  const referenced = (r: JsonResource, attribute: string): ResourceId | undefined => {
    const configAddress = r.address.replace(/\[[^\]]*\]$/, "");
    const attributes = expressions.get(configAddress);
    const expression =
      attributes && Object.hasOwn(attributes, attribute) ? attributes[attribute] : undefined;
    const refs =
      isObject(expression) && Array.isArray(expression.references) ? expression.references : [];
    const first = refs.find((x): x is string => typeof x === "string" && x.endsWith(".id"));
    if (first === undefined) return undefined;
    const target = byAddress.get(`${r.module}${first.slice(0, -3)}`);
    const name = target?.values.name;
    if (!target || typeof name !== "string") return undefined;
    const parent = target.values.virtual_network_name;
    // A load balancer's pool, rule or probe: its parent is the load balancer.
    const lb = target.values.loadbalancer_id;
    const lbName =
      typeof lb === "string"
        ? armId(lb)?.name
        : target.type.startsWith("azurerm_lb_")
          ? // In a plan, the load balancer's id too is known only after apply.
            referenced(target, "loadbalancer_id")?.name
          : undefined;
    return new ResourceId(
      target.type,
      name,
      typeof parent === "string"
        ? parent
        : target.type.startsWith("azurerm_lb_")
          ? lbName
          : undefined,
    );
  };

  const resources = found.map((r): TfResource => {
    const unknown = unknowns.get(r.address);
    const values = new Map<string, TfValue>(Object.entries(r.values));
    if (plan && isObject(unknown as TfValue))
      for (const [k, u] of Object.entries(unknown as TfObject))
        if (u === true && values.get(k) === undefined) {
          const id = referenced(r, k);
          if (id) values.set(k, id);
        }
    const location = placeOf(r.path.slice(0, -1));
    const place: Place = { text: r.address, path: r.path, ...(location ? { location } : {}) };
    return {
      mode: r.mode === "data" ? "data" : "managed",
      type: r.type,
      address: r.address,
      body: new ValueBlock(Object.fromEntries(values), place, placeOf, plan ? unknown : undefined),
      shown: true,
    };
  });
  return { resources, diagnostics };
}
