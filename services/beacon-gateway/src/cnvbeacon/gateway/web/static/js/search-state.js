// A search as it lives in the URL (shareable): the box's text q, the match mode, the
// assembly and the filters, named as the lookup API names them. Handover links of the
// Beacon API (/?chrom=..&start=..&end=.. or /?gene=..) are read too.

import { variantTypeChoice } from "./vocabulary.js";

export const FILTERS = [
  "variant_type",
  "min_length",
  "max_length",
  "min_copy_number",
  "max_copy_number",
  "pass_only",
  "superpopulation",
  "population",
  "sex",
  "datasets",
  "biosample_id",
];
export const MATCHES = {
  overlap: "overlapping the region",
  contained: "inside the region",
  spanning: "covering the whole region",
};
// Bracket queries come from Beacon handover links (start in [start, start_max), end in
// [end_min, end)); the form offers them only when a link asked for one.
export const BRACKET = "starting and ending in the linked brackets";

function textOf(params) {
  if (params.get("q")) return params.get("q").trim();
  for (const name of ["gene", "cytoband", "region"]) if (params.get(name)) return params.get(name).trim();
  const chrom = params.get("chrom");
  if (!chrom) return "";
  if (params.get("start") && params.get("end")) return `${chrom}:${params.get("start")}-${params.get("end")}`;
  return chrom;
}

export function readState(params) {
  const filters = {};
  for (const name of FILTERS) {
    const value = (params.get(name) ?? "").trim();
    if (value) filters[name] = value;
  }
  if (filters.variant_type) filters.variant_type = variantTypeChoice(filters.variant_type);
  if (filters.pass_only && !["true", "1", "yes"].includes(filters.pass_only.toLowerCase())) delete filters.pass_only;
  else if (filters.pass_only) filters.pass_only = "true";
  for (const name of Object.keys(filters)) if (!filters[name]) delete filters[name];
  const bracket = params.get("match") === "bracket" && params.get("start_max") && params.get("end_min");
  const match = bracket ? "bracket" : params.get("match") in MATCHES ? params.get("match") : "overlap";
  const state = { q: textOf(params), match, assembly: params.get("assembly") ?? "", filters };
  if (bracket) state.bracket = { start_max: params.get("start_max"), end_min: params.get("end_min") };
  return state;
}

/** The URL query string of a search. */
export function searchQuery(state) {
  const params = new URLSearchParams();
  if (state.q) params.set("q", state.q);
  if (state.match && state.match !== "overlap") params.set("match", state.match);
  if (state.match === "bracket" && state.bracket) for (const [name, value] of Object.entries(state.bracket)) params.set(name, value);
  if (state.assembly) params.set("assembly", state.assembly);
  for (const name of FILTERS) if (state.filters[name]) params.set(name, state.filters[name]);
  return params.toString();
}

export function searchUrl(state) {
  const query = searchQuery(state);
  return query ? `/?${query}` : "/";
}

/** The lookup API's parameters (/api/query/..., /api/exports/...) of a resolved search. */
export function lookupParams(state, resolved) {
  const params = { chrom: resolved.chrom, start: resolved.start, end: resolved.end };
  if (state.match !== "overlap") params.match = state.match;
  if (state.match === "bracket") Object.assign(params, state.bracket);
  params.assembly = resolved.assembly;
  return { ...params, ...state.filters };
}

/** The same search over another window (zoom and pan), as chr:start-end text. */
export function withWindow(state, chrom, start, end) {
  const match = state.match === "bracket" ? "overlap" : state.match;
  return { ...state, match, bracket: undefined, q: `chr${chrom.replace(/^chr/i, "")}:${start}-${end}` };
}
