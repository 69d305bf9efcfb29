/**
 * HTTPS for `tierwall serve --tls`: a self-signed certificate made once for
 * this machine and kept in the data folder, so that a client trusts it once
 * (Azure's SDKs send bearer tokens over HTTPS only); or the certificate and
 * key the user gives. A kept certificate is made anew when it has expired or
 * does not name the host served on.
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { isIP } from "node:net";
import { hostname } from "node:os";
import { join } from "node:path";

export interface ServerCertificate {
  readonly cert: string;
  readonly key: string;
  /** The certificate's file: what a client is told to trust. */
  readonly certPath: string;
  /** SHA-256 fingerprint, as `openssl x509 -fingerprint -sha256` shows it. */
  readonly fingerprint: string;
  /** Whether it was made now (rather than found). */
  readonly made: boolean;
}

const CERT_FILE = "tierwall-cert.pem";
const KEY_FILE = "tierwall-key.pem";
/** A year: long enough not to bother a team, short enough to be replaced. */
const VALID_DAYS = 365;

/** The names a made certificate covers: loopback, this machine, and the host served on. */
function namesFor(host: string): { dns: string[]; ips: string[] } {
  const dns = new Set(["localhost", hostname()]);
  const ips = new Set(["127.0.0.1", "::1"]);
  if (isIP(host)) {
    if (host !== "0.0.0.0" && host !== "::") ips.add(host);
  } else dns.add(host);
  return { dns: [...dns], ips: [...ips] };
}

function covers(cert: X509Certificate, host: string): boolean {
  if (new Date(cert.validTo).getTime() < Date.now() + 24 * 3600 * 1000) return false;
  if (host === "0.0.0.0" || host === "::") return cert.checkIP("127.0.0.1") !== undefined;
  return isIP(host) ? cert.checkIP(host) !== undefined : cert.checkHost(host) !== undefined;
}

/** The certificate kept in `dir` for `host`, made (and kept) when there is none fit for it. */
export async function keptCertificate(dir: string, host: string): Promise<ServerCertificate> {
  const certPath = join(dir, CERT_FILE);
  const keyPath = join(dir, KEY_FILE);
  if (existsSync(certPath) && existsSync(keyPath)) {
    const cert = readFileSync(certPath, "utf8");
    const parsed = new X509Certificate(cert);
    if (covers(parsed, host))
      return {
        cert,
        key: readFileSync(keyPath, "utf8"),
        certPath,
        fingerprint: parsed.fingerprint256,
        made: false,
      };
  }
  // Loaded here only: the library is needed the first time, not on every start.
  const { generate } = await import("selfsigned");
  const { dns, ips } = namesFor(host);
  const now = new Date();
  const generated = await generate([{ name: "commonName", value: "tierwall serve" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + VALID_DAYS * 24 * 3600 * 1000),
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          ...dns.map((value) => ({ type: 2 as const, value })),
          ...ips.map((ip) => ({ type: 7 as const, ip })),
        ],
      },
    ],
  });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Written beside and renamed, so that a crash never leaves half a key.
  writeFileSync(`${keyPath}.new`, generated.private, { mode: 0o600 });
  writeFileSync(`${certPath}.new`, generated.cert, { mode: 0o644 });
  renameSync(`${keyPath}.new`, keyPath);
  renameSync(`${certPath}.new`, certPath);
  return {
    cert: generated.cert,
    key: generated.private,
    certPath,
    fingerprint: new X509Certificate(generated.cert).fingerprint256,
    made: true,
  };
}

/** The certificate and key the user gave, checked to be a certificate and its key. */
export function givenCertificate(certPath: string, keyPath: string): ServerCertificate {
  const read = (path: string) => {
    try {
      return readFileSync(path, "utf8");
    } catch (e) {
      throw new Error(`${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? e})`);
    }
  };
  const cert = read(certPath);
  const key = read(keyPath);
  let parsed: X509Certificate;
  try {
    parsed = new X509Certificate(cert);
  } catch {
    throw new Error(`${certPath} is not a PEM certificate`);
  }
  let matches = false;
  try {
    matches = parsed.checkPrivateKey(createPrivateKey(key));
  } catch {
    throw new Error(`${keyPath} is not a PEM private key`);
  }
  if (!matches) throw new Error(`${keyPath} is not the key of the certificate in ${certPath}`);
  return { cert, key, certPath, fingerprint: parsed.fingerprint256, made: false };
}
