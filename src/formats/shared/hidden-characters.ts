/** What counts as a hidden character, for the writers: defined with the model, which the spec's writer and the terminal share. */
export * from "../../model/hidden-characters.js";
