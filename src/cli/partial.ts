/**
 * What every analysis command says of a spec with a `partial` section: its
 * import (`tierwall import --allow-partial`) could not read everything that
 * narrows the policy, so the deployed policy may deny more than the spec does.
 * One wording for every command, on stderr and in its JSON.
 */
import type { LoadedSpec } from "../specfile/load.js";
import type { Io } from "./io.js";

/** One partial spec a command read: its file, how many items are missing, and the notice. */
export interface PartialNotice {
  readonly file: string;
  readonly missing: number;
  readonly message: string;
}

type Read = Pick<LoadedSpec, "file" | "partial">;

/** The notice of each partial spec among `specs`. */
export function partialNotices(specs: readonly Read[]): PartialNotice[] {
  return specs
    .filter((s) => s.partial.length > 0)
    .map((s) => {
      const n = s.partial.length;
      return {
        file: s.file,
        missing: n,
        message: `the answers are about a partial policy: ${n} item${n === 1 ? "" : "s"} its import could not read ${n === 1 ? "is" : "are"} missing from ${s.file} (its partial section), and the source may deny more`,
      };
    });
}

/** Writes the notices on stderr. */
export function notePartial(io: Io, specs: readonly Read[]): void {
  for (const n of partialNotices(specs))
    io.err(`${io.style.yellow(io.style.bold("warning"))} PartialPolicy: ${n.message}\n`);
}

/** The notices as a field of a command's JSON output; nothing when no spec is partial. */
export function partialJson(...specs: Read[]): { partial?: PartialNotice[] } {
  const notices = partialNotices(specs);
  return notices.length > 0 ? { partial: notices } : {};
}
