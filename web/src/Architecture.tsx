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
  type NodeProps,
  Position,
  ReactFlow,
} from "@xyflow/react";
import ELK, { type ElkNode } from "elkjs/lib/elk.bundled.js";
import { useEffect, useMemo, useState } from "react";
import {
  type ArchitectureEdge,
  type EdgeState,
  type Estate,
  INTERNET,
  summaryText,
} from "./estate.js";
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

interface Group {
  readonly id: string;
  readonly label: string;
  readonly detail?: string;
  readonly children: readonly string[];
}

/** The groups (virtual networks, their subnets) and the environments in each subnet. */
function groupsOf(estate: Estate) {
  const vnets = new Map<string, Map<string, string[]>>();
  const nsgOf = new Map<string, string | undefined>();
  for (const env of estate.network.environments.values()) {
    const { vnet, name } = env.subnet;
    const subnets = vnets.get(vnet) ?? new Map<string, string[]>();
    const list = subnets.get(name) ?? [];
    list.push(env.name);
    subnets.set(name, list);
    vnets.set(vnet, subnets);
    nsgOf.set(`${vnet}/${name}`, env.subnet.nsg);
  }
  return { vnets, nsgOf };
}

async function layout(estate: Estate, edges: readonly ArchitectureEdge[]) {
  const { vnets, nsgOf } = groupsOf(estate);
  const groups: Group[] = [];
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
    children: [
      { id: `env:${INTERNET}`, width: 130, height: ENV_HEIGHT },
      ...[...vnets].map(([vnet, subnets]) => {
        groups.push({ id: `vnet:${vnet}`, label: vnet, children: [...subnets.keys()] });
        return {
          id: `vnet:${vnet}`,
          layoutOptions: { "elk.padding": "[top=36,left=16,bottom=16,right=16]" },
          children: [...subnets].map(([subnet, envs]) => {
            const nsg = nsgOf.get(`${vnet}/${subnet}`);
            groups.push({
              id: `subnet:${vnet}/${subnet}`,
              label: subnet,
              ...(nsg ? { detail: nsg } : {}),
              children: envs,
            });
            return {
              id: `subnet:${vnet}/${subnet}`,
              layoutOptions: { "elk.padding": "[top=52,left=14,bottom=14,right=14]" },
              children: envs.map((e) => ({ id: `env:${e}`, width: ENV_WIDTH, height: ENV_HEIGHT })),
            };
          }),
        };
      }),
    ],
    edges: edges.map((e) => ({ id: e.id, sources: [`env:${e.from}`], targets: [`env:${e.to}`] })),
  };
  const laid = await elk.layout(graph);
  const nodes: Node[] = [];
  const place = (n: ElkNode, parent?: string) => {
    const group = groups.find((g) => g.id === n.id);
    nodes.push({
      id: n.id,
      position: { x: n.x ?? 0, y: n.y ?? 0 },
      ...(parent ? { parentId: parent, extent: "parent" as const } : {}),
      type: group ? "group-box" : "environment",
      data: group
        ? {
            label: group.label,
            detail: group.detail,
            kind: n.id.startsWith("vnet:") ? "vnet" : "subnet",
          }
        : { label: n.id.slice(4), kind: environmentKind(estate, n.id.slice(4)) },
      style: { width: n.width, height: n.height },
      draggable: false,
      selectable: !group,
    });
    for (const child of n.children ?? []) place(child, n.id);
  };
  for (const child of laid.children ?? []) place(child);
  return nodes;
}

function environmentKind(estate: Estate, name: string): string {
  if (name === INTERNET) return "the Internet";
  const env = estate.network.environments.get(name);
  const tier = estate.tierOf(name);
  return [env?.kind.replace("AppServiceEnvironment", "ASE "), tier ? `tier ${tier.name}` : ""]
    .filter(Boolean)
    .join(" · ");
}

function GroupBox({ data }: NodeProps) {
  const d = data as { label: string; detail?: string; kind: string };
  return (
    <div className={`group-box ${d.kind}`}>
      <div className="group-label">
        <span className="muted">{d.kind === "vnet" ? "virtual network" : "subnet"}</span> {d.label}
      </div>
      {d.kind === "subnet" && (
        <div className={`nsg-badge ${d.detail ? "" : "none"}`}>
          <span aria-hidden="true">{d.detail ? "🛡" : "○"}</span>{" "}
          {d.detail ? `NSG ${d.detail}` : "no NSG"}
        </div>
      )}
    </div>
  );
}

function EnvironmentNode({ data, id }: NodeProps) {
  const d = data as { label: string; kind: string };
  return (
    <div
      className={`environment ${id === `env:${INTERNET}` ? "internet" : ""}`}
      data-environment={d.label}
    >
      <Handle type="target" position={Position.Left} />
      <strong>{id === `env:${INTERNET}` ? "🌐 Internet" : d.label}</strong>
      <span className="muted">{d.kind}</span>
      <Handle type="source" position={Position.Right} />
    </div>
  );
}

const nodeTypes = { "group-box": GroupBox, environment: EnvironmentNode };

function edgeLabel(e: ArchitectureEdge): string {
  const { icon } = STATE_TEXT[e.state];
  if (e.state === "allowed") return `${icon} ${e.service.label}`;
  if (e.state === "denied") return `${icon} denied ${e.service.label}`;
  if (e.state === "partial")
    return `${icon} ${e.allowed.map((l) => l.destinationPorts.join(",")).join(" ") || "part"} of ${e.service.label}`;
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
  const [everyPair, setEveryPair] = useState(false);
  const edges = useMemo(() => estate.edges(everyPair), [estate, everyPair]);
  const [nodes, setNodes] = useState<Node[]>();
  const [chosen, setChosen] = useState<string>();
  useEffect(() => {
    let current = true;
    layout(estate, edges).then((n) => current && setNodes(n));
    return () => {
      current = false;
    };
  }, [estate, edges]);
  const flowEdges: Edge[] = useMemo(
    () =>
      edges
        .filter((e) => e.state !== "unreachable")
        .map((e) => ({
          id: e.id,
          source: `env:${e.from}`,
          target: `env:${e.to}`,
          label: edgeLabel(e),
          className: `call ${e.state}${e.id === chosen ? " chosen" : ""}`,
          markerEnd: { type: MarkerType.ArrowClosed },
          labelBgPadding: [6, 3] as [number, number],
          ariaLabel: `${e.from} to ${e.to}: ${STATE_TEXT[e.state].word} ${e.service.label}`,
          data: { state: e.state },
        })),
    [edges, chosen],
  );
  const edge = edges.find((e) => e.id === chosen);
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
    choose(edges.find((e) => e.id === clicked.id));

  return (
    <div className="architecture">
      <div className="diagram" aria-label="Architecture diagram" role="img">
        {nodes ? (
          <ReactFlow
            nodes={nodes}
            edges={flowEdges}
            nodeTypes={nodeTypes}
            onEdgeClick={onEdgeClick}
            fitView
            minZoom={0.2}
            nodesConnectable={false}
            proOptions={{ hideAttribution: true }}
          >
            <Background />
            <Controls showInteractive={false} />
          </ReactFlow>
        ) : (
          <p className="loading">Laying out…</p>
        )}
      </div>
      <aside className="side">
        <label className="toggle">
          <input
            type="checkbox"
            checked={everyPair}
            onChange={(e) => setEveryPair(e.target.checked)}
          />{" "}
          Every pair of environments
        </label>
        <h2>Calls</h2>
        <p className="muted">Judged over every packet within the callee tier's service.</p>
        <ul className="calls">
          {edges.map((e) => (
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
                  {STATE_TEXT[e.state].word} · {e.service.label}
                </span>
              </button>
            </li>
          ))}
        </ul>
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
