import type { FlowResult } from "../../engine/flow.js";
import type { Style } from "./style.js";
import { renderTable } from "./table.js";

/** The NSGs a flow crossed, one line each, in evaluation order. */
export function renderTrace(result: FlowResult, style: Style, indent = "  "): string {
  if (result.trace.length === 0) return `${indent}${style.dim(result.reason)}`;
  const rows = result.trace.map((t) => [
    t.nsg,
    `${t.appliedTo.type} ${t.appliedTo.name}`,
    t.direction,
    t.packet,
    style.access(t.access),
    `${t.rule} (${t.priority})`,
  ]);
  return renderTable(
    ["NSG", "applied to", "direction", "packet", "access", "rule (priority)"],
    rows,
    indent,
  );
}

export function flowJson(result: FlowResult): object {
  return {
    access: result.access,
    rule: result.rule ?? null,
    nsg: result.nsg ?? null,
    appliedTo: result.appliedTo ?? null,
    from: result.from,
    to: result.to,
    route: result.route,
    reason: result.reason,
    returnTraffic: result.returnTraffic,
    trace: result.trace,
  };
}
