/**
 * The page: a report's estate (read-only), or a server's subscriptions
 * (with a token), drawn in the workbench.
 */
import { useCallback, useEffect, useMemo, useState } from "react";
import { ImportForm } from "./ImportForm.js";
import { Api, ApiError, embeddedData, keepToken, type PageData, takeToken } from "./source.js";
import { Workbench } from "./Workbench.js";

export function App() {
  const embedded = useMemo(embeddedData, []);
  if (embedded) return <Workbench data={embedded} />;
  return <Served />;
}

function Served() {
  const [token, setToken] = useState(takeToken);
  const api = useMemo(() => (token ? new Api(token) : undefined), [token]);
  const [subscriptions, setSubscriptions] = useState<string[]>();
  const [subscription, setSubscription] = useState<string>();
  const [data, setData] = useState<PageData>();
  const [problem, setProblem] = useState<string>();

  const signOut = useCallback((why?: string) => {
    keepToken(undefined);
    setToken(undefined);
    setProblem(why);
  }, []);

  const listSubscriptions = useCallback(
    (choose?: string) => {
      if (!api) return;
      api
        .subscriptions()
        .then((list) => {
          setSubscriptions(list);
          setSubscription((current) => choose ?? current ?? list[0]);
        })
        .catch((e: unknown) =>
          e instanceof ApiError && e.status === 401
            ? signOut("That token is not valid here.")
            : setProblem(String((e as Error).message)),
        );
    },
    [api, signOut],
  );
  useEffect(() => listSubscriptions(), [listSubscriptions]);

  const load = useCallback(async () => {
    if (!api || !subscription) return;
    try {
      setData(await api.model(subscription));
      setProblem(undefined);
    } catch (e) {
      setProblem(e instanceof ApiError ? `${e.code}: ${e.message}` : String(e));
    }
  }, [api, subscription]);
  useEffect(() => {
    load();
  }, [load]);

  if (!api)
    return (
      <TokenForm
        problem={problem}
        onToken={(t) => {
          keepToken(t);
          setToken(t);
        }}
      />
    );
  if (problem && !data)
    return (
      <main className="empty">
        <h1>tierwall</h1>
        <p role="alert">{problem}</p>
      </main>
    );
  if (!subscriptions) return <p className="loading">Loading…</p>;
  if (subscriptions.length === 0)
    return (
      <main className="empty">
        <h1>tierwall</h1>
        <p>
          This server holds no network yet. Import one: a tierwall spec (such as
          <code> examples/layered-ase/tierwall.yaml</code>, the layered architecture of App Service
          Environments), an ARM template, Terraform, PowerShell or an az CLI script.
        </p>
        <ImportForm api={api} onImported={(s) => listSubscriptions(s)} />
      </main>
    );
  if (!data) return <p className="loading">Loading the network…</p>;
  return (
    <Workbench
      data={data}
      server={{
        api,
        subscription: subscription as string,
        subscriptions,
        choose: setSubscription,
        reload: load,
        signOut: () => signOut(),
        imported: (s: string) => {
          listSubscriptions(s);
          // The same subscription: its network changed under the same name.
          if (s === subscription) load();
        },
      }}
    />
  );
}

function TokenForm({ problem, onToken }: { problem?: string; onToken: (t: string) => void }) {
  const [text, setText] = useState("");
  return (
    <main className="empty">
      <h1>tierwall</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (text.trim()) onToken(text.trim());
        }}
      >
        <p>
          Open the address <code>tierwall serve</code> printed (it carries a token), or paste a
          token made with <code>tierwall serve token create NAME</code>.
        </p>
        {problem && <p role="alert">{problem}</p>}
        <label>
          Token <input type="password" value={text} onChange={(e) => setText(e.target.value)} />
        </label>
        <button type="submit">Open</button>
      </form>
    </main>
  );
}
