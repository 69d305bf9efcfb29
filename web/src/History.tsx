/** Each NSG's revisions on the server, with what changed and a restore. */
import { useCallback, useEffect, useState } from "react";
import { ApiError, type PageData } from "./source.js";
import type { ServerContext } from "./Workbench.js";

interface RevisionJson {
  name: string;
  properties: {
    revision: number;
    at: string;
    actor: string;
    change: string;
    restoredFrom?: number;
    semanticDiff?: { equivalent?: boolean; flows?: { from: string; to: string }[] };
  };
}

export function History({ data, server }: { data: PageData; server: ServerContext }) {
  const nsgs = data.resources.filter(
    (r) => r.type.toLowerCase() === "microsoft.network/networksecuritygroups",
  );
  const [id, setId] = useState(nsgs[0]?.id);
  const [revisions, setRevisions] = useState<RevisionJson[]>();
  const [message, setMessage] = useState<string>();
  const load = useCallback(async () => {
    if (!id) return;
    const { body } = await server.api.call<{ value: RevisionJson[] }>(
      "GET",
      `${id}/providers/Tierwall/revisions`,
    );
    setRevisions(body.value);
  }, [id, server.api]);
  useEffect(() => {
    load().catch((e: unknown) => setMessage(String((e as Error).message)));
  }, [load]);
  if (!id) return <p>No network security group is stored.</p>;
  const restore = async (revision: number) => {
    try {
      await server.api.call("POST", `${id}/providers/Tierwall/revisions/${revision}/restore`);
      setMessage(`Restored revision ${revision}.`);
      await server.reload();
      await load();
    } catch (e) {
      setMessage(e instanceof ApiError ? `${e.code}: ${e.message}` : String(e));
    }
  };
  return (
    <div className="history">
      <label>
        Network security group{" "}
        <select value={id} onChange={(e) => setId(e.target.value)}>
          {nsgs.map((n) => (
            <option key={n.id} value={n.id}>
              {n.name}
            </option>
          ))}
        </select>
      </label>
      {message && <p role="status">{message}</p>}
      <table>
        <thead>
          <tr>
            <th scope="col">Revision</th>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">Change</th>
            <th scope="col">What it changed</th>
            <th scope="col" />
          </tr>
        </thead>
        <tbody>
          {[...(revisions ?? [])].reverse().map((r, i) => (
            <tr key={r.name}>
              <td>{r.properties.revision}</td>
              <td>{new Date(r.properties.at).toLocaleString()}</td>
              <td>{r.properties.actor}</td>
              <td>
                {r.properties.change}
                {r.properties.restoredFrom !== undefined
                  ? ` (from ${r.properties.restoredFrom})`
                  : ""}
              </td>
              <td>
                {r.properties.semanticDiff === undefined
                  ? "—"
                  : r.properties.semanticDiff.equivalent
                    ? "no packet decided differently"
                    : (r.properties.semanticDiff.flows ?? [])
                        .map((f) => `${f.from} → ${f.to}`)
                        .join(", ") || "its NSGs' decisions"}
              </td>
              <td>
                {i > 0 && (
                  <button type="button" onClick={() => restore(r.properties.revision)}>
                    Restore
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
