import { styleText } from "node:util";

type Format = Parameters<typeof styleText>[0];

/** Colours for a terminal; plain text when piped, when NO_COLOR is set, or when asked. */
export class Style {
  constructor(readonly enabled: boolean) {}

  static forStream(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): Style {
    if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return new Style(false);
    if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0") return new Style(true);
    return new Style(stream.isTTY === true);
  }

  private paint(format: Format, text: string): string {
    return this.enabled ? styleText(format, text, { validateStream: false }) : text;
  }

  red = (t: string) => this.paint("red", t);
  green = (t: string) => this.paint("green", t);
  yellow = (t: string) => this.paint("yellow", t);
  cyan = (t: string) => this.paint("cyan", t);
  dim = (t: string) => this.paint("dim", t);
  bold = (t: string) => this.paint("bold", t);

  access = (access: string) => (access === "Allow" ? this.green(access) : this.red(access));
}
