/**
 * Import a file into the server: a tierwall spec (its environments, tiers
 * and assertions become the workspace), an ARM template or az output,
 * Terraform, PowerShell or an az CLI script, into a resource group.
 */
import { useState } from "react";
import { Notice, type NoticeText } from "./Notice.js";
import { type Api, ApiError } from "./source.js";

export const DEFAULT_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000";

export function ImportForm({
  api,
  subscription,
  onImported,
}: {
  api: Api;
  subscription?: string;
  onImported: (subscription: string) => void;
}) {
  const [target, setTarget] = useState(subscription ?? DEFAULT_SUBSCRIPTION);
  const [group, setGroup] = useState("tierwall");
  const [location, setLocation] = useState("");
  const [file, setFile] = useState<File>();
  const [message, setMessage] = useState<NoticeText>();
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    if (!file) return;
    setBusy(true);
    setMessage(undefined);
    try {
      const written = await api.importFile(target, group, await file.text(), location);
      setMessage({
        kind: "info",
        text: `Imported ${file.name}: ${written.length} resources written.`,
      });
      onImported(target);
    } catch (e) {
      setMessage(
        e instanceof ApiError
          ? {
              kind: "error",
              text: `${e.code}: ${e.message}`,
              details: e.details.map((d) => `${d.target ? `${d.target}: ` : ""}${d.message ?? ""}`),
            }
          : { kind: "error", text: String(e) },
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="import-form"
      aria-label="Import a file"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <label>
        File{" "}
        <input
          type="file"
          name="file"
          accept=".yaml,.yml,.json,.tf,.ps1,.sh,.bicep"
          onChange={(e) => setFile(e.target.files?.[0])}
        />
      </label>
      <label>
        Subscription <input value={target} onChange={(e) => setTarget(e.target.value)} size={38} />
      </label>
      <label>
        Resource group <input value={group} onChange={(e) => setGroup(e.target.value)} />
      </label>
      <label>
        Location, for resources the file places nowhere{" "}
        <input
          value={location}
          onChange={(e) => setLocation(e.target.value)}
          placeholder="westeurope"
        />
      </label>
      <button type="submit" className="primary" disabled={!file || busy}>
        Import
      </button>
      {message && <Notice notice={message} />}
    </form>
  );
}
