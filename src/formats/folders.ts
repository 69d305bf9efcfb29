/**
 * What a folder named to `tierwall import` stands for: a Terraform module
 * (its .tf files, read together), or a live estate as the az CLI lists it
 * (one .json file per `az ... list -o json`, each read as ARM resource JSON,
 * all imported as one estate: references by id meet across the files).
 */
import { moduleFiles } from "./terraform/import.js";

export type FolderReading =
  | {
      readonly kind: "terraform" | "azOutput";
      /** The names of the files to read, in order. */
      readonly files: readonly string[];
      /** Files beside them that are not read (named, never skipped in silence). */
      readonly skipped: readonly string[];
    }
  | {
      readonly kind: "nothing";
      readonly code: string;
      readonly message: string;
      readonly hint: string;
    };

/**
 * The files of a folder to import, from their names: a folder with .tf files
 * is a Terraform module; one with .json files is az output. `format`, when
 * given, must be the folder's: terraform, or arm for az output.
 */
export function folderReading(names: readonly string[], format?: string): FolderReading {
  const visible = names.filter((n) => !n.startsWith("."));
  const { files: module, unread } = moduleFiles(visible);
  const terraform = module.some((n) => n.endsWith(".tf"));
  const json = [...visible].filter((n) => /\.json$/i.test(n)).sort();
  if (terraform && (format === undefined || format === "terraform"))
    // The importer weighs what a .tf.json file it cannot read leaves out.
    return { kind: "terraform", files: [...module, ...unread], skipped: [] };
  if (!terraform && json.length > 0 && (format === undefined || format === "arm"))
    return {
      kind: "azOutput",
      files: json,
      skipped: visible.filter((n) => !json.includes(n)).sort(),
    };
  if (format !== undefined && format !== "terraform" && format !== "arm")
    return {
      kind: "nothing",
      code: "FolderNotImported",
      message: "a folder is read as a Terraform module (.tf files) or as az output (.json files)",
      hint: `name the ${format} files`,
    };
  if (format === "arm")
    return {
      kind: "nothing",
      code: terraform ? "FolderNotImported" : "NoImportableFiles",
      message: terraform
        ? "a folder imported as arm is read as az output (.json files), and this one is a Terraform module"
        : "the folder holds no .json files (az output)",
      hint: terraform ? "import it without naming a format" : "name the files to import",
    };
  if (format === "terraform")
    return {
      kind: "nothing",
      code: "NoTerraformFiles",
      message: "the folder holds no .tf files",
      hint: "name the files to import",
    };
  return {
    kind: "nothing",
    code: "NoImportableFiles",
    message: "the folder holds no .tf files (a Terraform module) and no .json files (az output)",
    hint: "name the files to import",
  };
}
