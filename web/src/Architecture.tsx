/**
 * The architecture: virtual networks and subnets as groups (with the NSG on
 * each subnet), environments as nodes, the Internet as a node, and an edge
 * for each call that matters, coloured, marked and labelled by what the
 * exhaustive analysis allows within the callee's tier service. Laid out by
 * ELK; drawn by React Flow. The same edges are listed beside the drawing as
 * buttons, for the keyboard and for reading.
 */
import {
  Background,
  Controls,
  type Edge,
  type EdgeMouseHandler,
  Handle,
  MarkerType,
  type Node,
  type NodeMouseHandler,
  type NodeProps,
  Position,
  ReactFlow,
} from "@xyflow/react";
import ELK, { type ElkNode } from "elkjs/lib/elk.bundled.js";
import { useCallback, useEffect, useMemo, useState } from "react";
import {
  type ArchitectureEdge,
  type EdgeState,
  type Endpoint,
  type EntryPoint,
  type Estate,
  INTERNET,
  summaryText,
} from "./estate.js";
import { EntryIcon, GlobeIcon, ShieldIcon } from "./icons.js";
import type { Selection } from "./Workbench.js";

const elk = new ELK();

export const STATE_TEXT: Record<EdgeState, { icon: string; word: string }> = {
  allowed: { icon: "✓", word: "allowed" },
  partial: { icon: "◐", word: "partly allowed" },
  denied: { icon: "✗", word: "denied" },
  unreachable: { icon: "—", word: "no route" },
};

const ENV_WIDTH = 170;
const ENV_HEIGHT = 58;
/** Past this many endpoints the diagram starts gathered by subnet, each expanding on demand. */
export const GATHER_PAST = 30;

export type Mode = "endpoints" | "subnets";

/** Past this many calls, the drawing shows the Internet's and those of the endpoint or subnet picked. */
export const CROWDED = 40;

const INTERNET_NODE = `ep:${INTERNET}`;

interface NodeData {
  readonly label: string;
  readonly detail?: string;
  readonly kind: "vnet" | "subnet" | "collapsed" | "endpoint" | "internet" | "entry";
  readonly count?: number;
  readonly subnet?: string;
  /** Opens or closes the subnet (gathered drawings). */
  readonly toggle?: () => void;
  readonly [key: string]: unknown;
}

/** The button that opens or closes a subnet, inside its node; a click on it is not a click on the node. */
function ToggleButton({ d, open }: { d: NodeData; open: boolean }) {
  if (!d.toggle) return null;
  return (
    <button
      type="button"
      className="subnet-toggle nodrag"
      aria-label={`${open ? "Close" : "Open"} subnet ${d.label}`}
      onClick={(e) => {
        e.stopPropagation();
        d.toggle?.();
      }}
    >
      {open ? "close" : "open"}
    </button>
  );
}

/**
 * The graph to lay out: the Internet, the public entry points, and each
 * virtual network with its subnets; a subnet holds its endpoints, or (gathered
 * and not expanded) stands as one node.
 */
function graphOf(
  estate: Estate,
  mode: Mode,
  expanded: ReadonlySet<string>,
  entries: readonly EntryPoint[],
) {
  const data = new Map<string, NodeData>();
  const endpoints = estate.endpoints();
  const vnets = new Map<string, Map<string, Endpoint[]>>();
  for (const e of endpoints) {
    const subnets = vnets.get(e.vnet ?? "") ?? new Map<string, Endpoint[]>();
    const list = subnets.get(e.subnet ?? "") ?? [];
    list.push(e);
    subnets.set(e.subnet ?? "", list);
    vnets.set(e.vnet ?? "", subnets);
  }
  /** The node an endpoint is drawn in: itself, or its subnet when gathered. */
  const nodeOf = new Map<string, string>();
  /** Nodes inside a network whose subnets are packed (laid out apart): ELK sees their edges at the network. */
  const packedIn = new Map<string, string>();
  const leaf = (id: string, d: NodeData, width = ENV_WIDTH, height = ENV_HEIGHT): ElkNode => {
    data.set(id, d);
    return { id, width, height };
  };
  const subnetNode = (subnet: string, list: Endpoint[]): ElkNode => {
    const first = list[0] as Endpoint;
    const id = `subnet:${subnet}`;
    const gathered = mode === "subnets" && !expanded.has(subnet);
    const base = {
      label: first.subnetName ?? subnet,
      ...(first.nsg ? { detail: first.nsg } : {}),
      count: list.length,
      subnet,
    };
    if (gathered) {
      for (const e of list) nodeOf.set(e.name, id);
      return leaf(id, { ...base, kind: "collapsed" }, 200, 78);
    }
    data.set(id, { ...base, kind: "subnet" });
    return {
      id,
      layoutOptions: { "elk.padding": "[top=52,left=14,bottom=14,right=14]" },
      children: list.map((e) => {
        nodeOf.set(e.name, `ep:${e.name}`);
        return leaf(`ep:${e.name}`, { label: e.name, detail: e.detail, kind: "endpoint" });
      }),
    };
  };
  const children: ElkNode[] = [leaf(INTERNET_NODE, { label: INTERNET, kind: "internet" }, 130)];
  for (const entry of entries)
    children.push(leaf(entry.id, { label: entry.label, detail: entry.detail, kind: "entry" }, 200));
  for (const [vnet, subnets] of vnets) {
    if (vnet === "") {
      for (const list of subnets.values())
        for (const e of list) {
          nodeOf.set(e.name, `ep:${e.name}`);
          children.push(
            leaf(`ep:${e.name}`, { label: e.name, detail: e.detail, kind: "endpoint" }),
          );
        }
      continue;
    }
    data.set(`vnet:${vnet}`, { label: vnet, kind: "vnet" });
    const packed = subnets.size > 6;
    const vnetNode: ElkNode = {
      id: `vnet:${vnet}`,
      layoutOptions: {
        "elk.padding": "[top=36,left=16,bottom=16,right=16]",
        // Many subnets in one network are packed into rows rather than stacked in one column.
        // (Only the nodes' places are ELK's: React Flow draws the edges between them.)
        ...(packed
          ? {
              "elk.algorithm": "rectpacking",
              "elk.hierarchyHandling": "SEPARATE_CHILDREN",
              "elk.aspectRatio": "1.6",
              "elk.spacing.nodeNode": "24",
            }
          : {}),
      },
      children: [...subnets].map(([subnet, list]) => subnetNode(subnet, list)),
    };
    if (packed) {
      const mark = (n: ElkNode) => {
        packedIn.set(n.id, vnetNode.id);
        for (const child of n.children ?? []) mark(child);
      };
      for (const child of vnetNode.children ?? []) mark(child);
    }
    children.push(vnetNode);
  }
  return { children, data, nodeOf, packedIn };
}

/** The edges drawn: between endpoints, or (gathered) between subnets; and through the entry points. */
interface DrawnEdge {
  readonly id: string;
  readonly source: string;
  readonly target: string;
  readonly label: string;
  readonly className: string;
  readonly ariaLabel: string;
}

async function layout(
  estate: Estate,
  mode: Mode,
  expanded: ReadonlySet<string>,
  calls: readonly ArchitectureEdge[],
  entries: readonly EntryPoint[],
) {
  const { children, data, nodeOf, packedIn } = graphOf(estate, mode, expanded, entries);
  const end = (name: string) =>
    name === INTERNET
      ? INTERNET_NODE
      : mode === "subnets"
        ? `subnet:${name}`
        : (nodeOf.get(name) ?? "");
  const drawn: DrawnEdge[] = [];
  for (const e of calls) {
    const source = end(e.from);
    const target = end(e.to);
    if (!data.has(source) || !data.has(target) || source === target) continue;
    drawn.push({
      id: e.id,
      source,
      target,
      label: edgeLabel(e),
      className: `call ${e.state}`,
      ariaLabel: `${e.from} to ${e.to}: ${STATE_TEXT[e.state].word} ${e.service.label}`,
    });
  }
  for (const entry of entries) {
    drawn.push({
      id: `${INTERNET}->${entry.id}`,
      source: INTERNET_NODE,
      target: entry.id,
      label: `✓ ${[...new Set(entry.exposed.map((l) => `${l.protocols.join(",")} ${l.destinationPorts.join(",")}`))].join("; ")}`,
      className: "call allowed entry",
      ariaLabel: `Internet to ${entry.label}`,
    });
    for (const backend of new Set(entry.backends.map((b) => nodeOf.get(b) ?? ""))) {
      if (!data.has(backend)) continue;
      drawn.push({
        id: `${entry.id}->${backend}`,
        source: entry.id,
        target: backend,
        label: "forwards",
        className: "call forwards",
        ariaLabel: `${entry.label} forwards to ${backend.slice(backend.indexOf(":") + 1)}`,
      });
    }
  }
  // Peered virtual networks: a line between their boxes (packets cross it; the NSGs still judge them).
  for (const vnet of estate.network.vnets.values())
    for (const peer of vnet.peers)
      if (vnet.name < peer && data.has(`vnet:${vnet.name}`) && data.has(`vnet:${peer}`))
        drawn.push({
          id: `peering:${vnet.name}|${peer}`,
          source: `vnet:${vnet.name}`,
          target: `vnet:${peer}`,
          label: "peered",
          className: "peering",
          ariaLabel: `${vnet.name} and ${peer} are peered`,
        });
  const graph: ElkNode = {
    id: "root",
    layoutOptions: {
      "elk.algorithm": "layered",
      "elk.direction": "RIGHT",
      "elk.hierarchyHandling": "INCLUDE_CHILDREN",
      "elk.layered.spacing.nodeNodeBetweenLayers": "90",
      "elk.spacing.nodeNode": "30",
      "elk.padding": "[top=20,left=20,bottom=20,right=20]",
    },
    children,
    // ELK places the nodes; React Flow draws every edge between them. An edge into a packed
    // network is given to ELK as an edge to the network (inside it, packing has no edges).
    edges: drawn.flatMap((e) => {
      const source = packedIn.get(e.source) ?? e.source;
      const target = packedIn.get(e.target) ?? e.target;
      return source === target ? [] : [{ id: e.id, sources: [source], targets: [target] }];
    }),
  };
  const laid = await elk.layout(graph);
  const nodes: Node[] = [];
  const place = (n: ElkNode, parent?: string) => {
    const d = data.get(n.id) as NodeData;
    const box = d.kind === "vnet" || d.kind === "subnet";
    nodes.push({
      id: n.id,
      position: { x: n.x ?? 0, y: n.y ?? 0 },
      ...(parent ? { parentId: parent, extent: "parent" as const } : {}),
      type: box ? "group-box" : d.kind === "collapsed" ? "collapsed" : "endpoint",
      data: d,
      style: { width: n.width, height: n.height },
      draggable: false,
      selectable: !box,
    });
    for (const child of n.children ?? []) place(child, n.id);
  };
  for (const child of laid.children ?? []) place(child);
  return { nodes, edges: drawn };
}

function GroupBox({ data }: NodeProps) {
  const d = data as NodeData;
  return (
    <div className={`group-box ${d.kind}`}>
      {d.kind === "vnet" && (
        <>
          {/* Where a peering's line meets the box. */}
          <Handle type="target" position={Position.Top} className="quiet-handle" />
          <Handle type="source" position={Position.Bottom} className="quiet-handle" />
        </>
      )}
      <div className="group-label">
        <span className="muted">{d.kind === "vnet" ? "virtual network" : "subnet"}</span> {d.label}{" "}
        <ToggleButton d={d} open />
      </div>
      {d.kind === "subnet" && <NsgBadge nsg={d.detail} />}
    </div>
  );
}

function NsgBadge({ nsg }: { nsg: string | undefined }) {
  return (
    <div className={`nsg-badge ${nsg ? "" : "none"}`}>
      {nsg ? <ShieldIcon /> : <span aria-hidden="true">○</span>} {nsg ? `NSG ${nsg}` : "no NSG"}
    </div>
  );
}

/** A subnet gathered into one node: its name, NSG and how many endpoints it holds. */
function CollapsedSubnet({ data }: NodeProps) {
  const d = data as NodeData;
  return (
    <div className="environment collapsed" data-subnet={d.subnet}>
      <Handle type="target" position={Position.Left} />
      <strong>
        <span className="muted">subnet</span> {d.label}
      </strong>
      <span className="muted">
        {d.count} endpoint{d.count === 1 ? "" : "s"} <ToggleButton d={d} open={false} />
      </span>
      <NsgBadge nsg={d.detail} />
      <Handle type="source" position={Position.Right} />
    </div>
  );
}

function EndpointNode({ data }: NodeProps) {
  const d = data as NodeData;
  return (
    <div className={`environment ${d.kind}`} data-environment={d.label}>
      <Handle type="target" position={Position.Left} />
      <strong>
        {d.kind === "internet" && <GlobeIcon />}
        {d.kind === "entry" && <EntryIcon />} {d.label}
      </strong>
      <span className="muted">{d.kind === "internet" ? "the Internet" : d.detail}</span>
      <Handle type="source" position={Position.Right} />
    </div>
  );
}

const nodeTypes = { "group-box": GroupBox, endpoint: EndpointNode, collapsed: CollapsedSubnet };

/** What the allowed lines carry, shortly: `Tcp 454-455`, `Udp 53; Tcp 443`. */
function carried(e: ArchitectureEdge): string {
  const parts = e.allowed.map(
    (l) =>
      `${l.protocols.join(",") || "any"}${l.destinationPorts.length > 0 ? ` ${l.destinationPorts.join(",")}` : ""}`,
  );
  return [...new Set(parts)].join("; ") + (e.omitted > 0 ? "; …" : "");
}

function edgeLabel(e: ArchitectureEdge): string {
  const { icon } = STATE_TEXT[e.state];
  if (e.state === "allowed") return `${icon} ${e.service.label}`;
  if (e.state === "denied") return `${icon} denied ${e.service.label}`;
  if (e.state === "partial") return `${icon} ${carried(e)} only`;
  return `${icon} no route`;
}

export function Architecture({
  estate,
  onSelect,
  showRules,
}: {
  estate: Estate;
  onSelect: (s: Selection | undefined) => void;
  showRules: (s: Selection) => void;
}) {
  const [mode, setMode] = useState<Mode>(() =>
    estate.rows.length > GATHER_PAST ? "subnets" : "endpoints",
  );
  const [everyPair, setEveryPair] = useState(false);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const calls = useMemo(
    () => (mode === "subnets" ? estate.subnetEdges() : estate.edges(everyPair)),
    [estate, mode, everyPair],
  );
  const entries = useMemo(() => estate.entryPoints(), [estate]);
  /** The endpoint or subnet whose calls are drawn when there are too many to draw them all. */
  const [focus, setFocus] = useState<string>();
  const [allCalls, setAllCalls] = useState(false);
  const crowded = calls.length > CROWDED && !allCalls;
  const shown = useMemo(
    () =>
      crowded
        ? calls.filter(
            (e) =>
              (e.from === INTERNET && focus === undefined) ||
              (focus !== undefined && (e.from === focus || e.to === focus)),
          )
        : calls,
    [calls, crowded, focus],
  );
  const [graph, setGraph] = useState<{ nodes: Node[]; edges: DrawnEdge[] }>();
  const [layoutProblem, setLayoutProblem] = useState<string>();
  const [chosen, setChosen] = useState<string>();
  useEffect(() => {
    let current = true;
    layout(estate, mode, expanded, shown, entries).then(
      (g) => current && setGraph(g),
      (e: unknown) => current && setLayoutProblem(e instanceof Error ? e.message : String(e)),
    );
    return () => {
      current = false;
    };
  }, [estate, mode, expanded, shown, entries]);
  const flowEdges: Edge[] = useMemo(
    () =>
      (graph?.edges ?? []).map((e) => ({
        id: e.id,
        source: e.source,
        target: e.target,
        label: e.label,
        className: `${e.className}${e.id === chosen ? " chosen" : ""}`,
        ...(e.className === "peering" ? {} : { markerEnd: { type: MarkerType.ArrowClosed } }),
        labelBgPadding: [6, 3] as [number, number],
        ariaLabel: e.ariaLabel,
      })),
    [graph, chosen],
  );
  const toggleSubnet = useCallback((subnet: string) => {
    setExpanded((was) => {
      const next = new Set(was);
      if (next.has(subnet)) next.delete(subnet);
      else next.add(subnet);
      return next;
    });
  }, []);
  const flowNodes = useMemo(
    () =>
      (graph?.nodes ?? []).map((n) => {
        const d = n.data as NodeData;
        const name = mode === "subnets" ? d.subnet : d.kind === "endpoint" ? d.label : undefined;
        const subnet = d.subnet;
        const withToggle =
          mode === "subnets" && subnet !== undefined
            ? { ...n, data: { ...d, toggle: () => toggleSubnet(subnet) } }
            : n;
        return focus !== undefined && name === focus
          ? { ...withToggle, className: "focused" }
          : withToggle;
      }),
    [graph, focus, mode, toggleSubnet],
  );
  const edge = calls.find((e) => e.id === chosen);
  const choose = (e: ArchitectureEdge | undefined) => {
    setChosen(e?.id);
    const witness = e?.allowedWitness ?? e?.deniedWitness;
    onSelect(
      witness?.flow
        ? { label: `${e?.from} → ${e?.to}: ${witness.packet}`, flow: witness.flow }
        : undefined,
    );
  };
  const onEdgeClick: EdgeMouseHandler = (_event, clicked) =>
    choose(calls.find((e) => e.id === clicked.id));
  // A click picks what the drawing centres on (its calls, when there are too many for all);
  // a subnet's own button, or a double click, opens or closes it.
  const onNodeClick: NodeMouseHandler = (_event, node) => {
    const d = node.data as NodeData;
    const name = mode === "subnets" ? d.subnet : d.kind === "endpoint" ? d.label : undefined;
    setFocus(name === focus ? undefined : name);
  };
  const onNodeDoubleClick: NodeMouseHandler = (_event, node) => {
    const subnet = (node.data as NodeData).subnet;
    if (mode === "subnets" && subnet) toggleSubnet(subnet);
  };
  const subnets = [...new Set(estate.endpoints().flatMap((e) => (e.subnet ? [e.subnet] : [])))];

  return (
    <div className="architecture">
      <div className="diagram" aria-label="Architecture diagram" role="img">
        {graph ? (
          <ReactFlow
            nodes={flowNodes}
            edges={flowEdges}
            nodeTypes={nodeTypes}
            onEdgeClick={onEdgeClick}
            onNodeClick={onNodeClick}
            onNodeDoubleClick={onNodeDoubleClick}
            zoomOnDoubleClick={false}
            fitView
            minZoom={0.05}
            nodesConnectable={false}
            proOptions={{ hideAttribution: true }}
          >
            <Background />
            <Controls showInteractive={false} />
          </ReactFlow>
        ) : layoutProblem ? (
          <p className="message error" role="alert">
            The drawing could not be laid out ({layoutProblem}); the calls beside it hold.
          </p>
        ) : (
          <p className="loading">Laying out…</p>
        )}
      </div>
      <aside className="side">
        <fieldset className="mode">
          <legend>Draw</legend>
          <label>
            <input
              type="radio"
              name="mode"
              checked={mode === "endpoints"}
              onChange={() => setMode("endpoints")}
            />{" "}
            each endpoint ({estate.rows.length})
          </label>
          <label>
            <input
              type="radio"
              name="mode"
              checked={mode === "subnets"}
              onChange={() => setMode("subnets")}
            />{" "}
            gathered by subnet ({subnets.length})
          </label>
          {mode === "endpoints" && (
            <label className="toggle">
              <input
                type="checkbox"
                checked={everyPair}
                onChange={(e) => setEveryPair(e.target.checked)}
              />{" "}
              every pair of endpoints
            </label>
          )}
        </fieldset>
        {mode === "subnets" && (
          <details className="open-subnets">
            <summary>Open subnets ({expanded.size} open)</summary>
            {subnets.map((subnet) => (
              <label key={subnet}>
                <input
                  type="checkbox"
                  checked={expanded.has(subnet)}
                  onChange={() => toggleSubnet(subnet)}
                />{" "}
                {subnet}
              </label>
            ))}
          </details>
        )}
        <h2>Calls</h2>
        {calls.length > CROWDED && (
          <p className="crowded">
            {crowded
              ? focus
                ? `${shown.length} of ${calls.length} calls drawn: those of ${focus} (click it again for the Internet's).`
                : `${calls.length} calls: the Internet's are drawn; click an endpoint or subnet for its own.`
              : `All ${calls.length} calls drawn.`}{" "}
            <label>
              <input
                type="checkbox"
                checked={allCalls}
                onChange={(e) => setAllCalls(e.target.checked)}
              />{" "}
              draw them all
            </label>
          </p>
        )}
        <p className="muted">
          {mode === "subnets"
            ? "What any endpoint of a subnet may send to any of another, over every packet. Open a subnet to see its endpoints."
            : "Judged over every packet within the callee tier's service."}
        </p>
        <ul className="calls">
          {shown.map((e) => (
            <li key={e.id}>
              <button
                type="button"
                className={`call-button ${e.state}`}
                aria-pressed={e.id === chosen}
                data-edge={e.id}
                data-state={e.state}
                onClick={() => choose(e.id === chosen ? undefined : e)}
              >
                <span aria-hidden="true">{STATE_TEXT[e.state].icon}</span> {e.from} → {e.to}{" "}
                <span className="muted">
                  {STATE_TEXT[e.state].word} ·{" "}
                  {e.state === "partial" ? `only ${carried(e)}` : e.service.label}
                </span>
              </button>
            </li>
          ))}
        </ul>
        {entries.length > 0 && (
          <>
            <h2>Public entry points</h2>
            <ul className="entries">
              {entries.map((entry) => (
                <li key={entry.id}>
                  <EntryIcon /> <strong>{entry.label}</strong>{" "}
                  <span className="muted">{entry.detail}</span> →{" "}
                  {entry.backends.join(", ") || "no backend"}
                </li>
              ))}
            </ul>
          </>
        )}
        {edge && <EdgeDetail edge={edge} showRules={showRules} />}
      </aside>
    </div>
  );
}

function EdgeDetail({
  edge,
  showRules,
}: {
  edge: ArchitectureEdge;
  showRules: (s: Selection) => void;
}) {
  const witnesses = [
    { title: "A packet let through", w: edge.allowedWitness },
    { title: "A packet stopped", w: edge.deniedWitness },
  ];
  return (
    <section className="edge-detail" aria-live="polite">
      <h3>
        {edge.from} → {edge.to}
      </h3>
      <p>
        <strong className={`state ${edge.state}`}>
          <span aria-hidden="true">{STATE_TEXT[edge.state].icon}</span>{" "}
          {STATE_TEXT[edge.state].word}
        </strong>{" "}
        within {edge.service.label}
        {edge.intended ? " (a caller its tier names)" : ""}
      </p>
      <h4>Allowed</h4>
      {edge.allowed.length === 0 ? (
        <p>nothing</p>
      ) : (
        <ul className="mono">
          {edge.allowed.map((l) => (
            <li key={summaryText(l)}>{summaryText(l)}</li>
          ))}
          {edge.omitted > 0 && <li>… {edge.omitted} more</li>}
        </ul>
      )}
      {edge.beyond.length > 0 && (
        <>
          <h4>Also allowed, outside {edge.service.label}</h4>
          <ul className="mono">
            {edge.beyond.map((l) => (
              <li key={summaryText(l)}>{summaryText(l)}</li>
            ))}
          </ul>
        </>
      )}
      {witnesses.map(
        ({ title, w }) =>
          w && (
            <div key={title}>
              <h4>{title}</h4>
              <p className="mono">{w.packet}</p>
              {w.flow && (
                <p>
                  {w.flow.access} by <code>{w.flow.rule ?? "the route"}</code>
                  {w.flow.nsg ? ` of ${w.flow.nsg}` : ""}{" "}
                  <button
                    type="button"
                    className="link"
                    onClick={() =>
                      w.flow &&
                      showRules({ label: `${edge.from} → ${edge.to}: ${w.packet}`, flow: w.flow })
                    }
                  >
                    Show in the rules
                  </button>
                </p>
              )}
            </div>
          ),
      )}
    </section>
  );
}
