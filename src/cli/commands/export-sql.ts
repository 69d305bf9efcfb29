import {
  compileSql,
  isSqlDialect,
  isSqlIdentifier,
  SQL_DIALECTS,
} from "../../formats/sql/compile.js";
import { EXIT, type Io, usageError } from "../io.js";
import { loadForCommand } from "../load.js";
import { emit } from "../output.js";

export interface ExportSqlOptions {
  dialect?: string;
  table?: string;
  view?: string;
  output?: string;
  json?: boolean;
}

/** `tierwall export sql`: the NSGs as one query deciding each row of a table of flow tuples. */
export function runExportSql(target: string, options: ExportSqlOptions, io: Io): number {
  const dialect = options.dialect ?? "duckdb";
  if (!isSqlDialect(dialect))
    return usageError(
      io,
      options.json,
      "InvalidArgument",
      `--dialect ${dialect}: expected ${SQL_DIALECTS.join(", ")}`,
    );
  for (const [flag, name] of [
    ["--table", options.table],
    ["--view", options.view],
  ] as const)
    if (name !== undefined && !isSqlIdentifier(name))
      return usageError(
        io,
        options.json,
        "InvalidArgument",
        `${flag} ${name}: expected a plain SQL name (letters, digits and _, dotted for a schema)`,
      );
  const loaded = loadForCommand(target, io, options.json === true);
  if (!loaded) return EXIT.invalid;
  const compiled = compileSql(loaded.spec.network, {
    dialect,
    source: target,
    ...(options.table !== undefined ? { table: options.table } : {}),
    ...(options.view !== undefined ? { view: options.view } : {}),
  });
  return emit(compiled.text, options.output, io);
}
