import type { Io } from "./io.js";

/**
 * A progress bar for reading large inputs, on an interactive terminal only:
 * bytes read (of the total when it is known), tuples, rate and time left, on
 * one stderr line redrawn in place after the first second and wiped at the
 * end. Nothing is written when stderr is piped or the output is for machines.
 */
export interface ByteProgress {
  update(bytes: number, total: number | undefined, tuples: number): void;
  end(): void;
}

const NONE: ByteProgress = { update() {}, end() {} };
const DELAY_MS = 1000;
const EVERY_MS = 100;
const WIDTH = 24;

const megabytes = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

export function byteProgress(io: Io, machineOutput: boolean, now = Date.now): ByteProgress {
  if (machineOutput || !io.interactive) return NONE;
  const started = now();
  let drawn = 0;
  let shown = false;
  return {
    update(bytes, total, tuples) {
      const t = now();
      if (t - started < DELAY_MS || t - drawn < EVERY_MS) return;
      drawn = t;
      shown = true;
      const seconds = (t - started) / 1000;
      const rate = bytes / seconds;
      let bar = "";
      let left = "";
      if (total !== undefined && total > 0) {
        const done = Math.min(1, bytes / total);
        const filled = Math.round(done * WIDTH);
        bar = `[${"#".repeat(filled)}${"-".repeat(WIDTH - filled)}] ${Math.floor(done * 100)}% `;
        left = rate > 0 ? ` · ${Math.ceil((total - bytes) / rate)} s left` : "";
      }
      io.err(
        `\r\x1b[2K${bar}${megabytes(bytes)}${total !== undefined ? ` of ${megabytes(total)}` : ""} · ${tuples.toLocaleString("en-US")} tuples · ${megabytes(rate)}/s${left}`,
      );
    },
    end() {
      if (shown) io.err("\r\x1b[2K");
    },
  };
}
