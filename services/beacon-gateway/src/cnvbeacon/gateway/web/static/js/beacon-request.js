// The Beacon v2 request that reproduces a search (GET URL and POST body), and what of the
// search a Beacon request cannot say. Overlap is a range query; "inside" and "covering"
// are bracket queries (start in [start, start_max), end in [end_min, end), as this
// Beacon reads two starts and two ends).

import { SEX_TERMS } from "./vocabulary.js";

const BEYOND_ANY_CHROMOSOME = 1_000_000_000;

function filterIds(filters) {
  const ids = [];
  if (filters.superpopulation) ids.push(...filters.superpopulation.split(",").map((c) => `superpopulation:${c}`));
  if (filters.population) ids.push(...filters.population.split(",").map((c) => `population:${c}`));
  if (filters.sex) ids.push(...filters.sex.split(",").map((s) => SEX_TERMS[s] ?? s));
  return ids;
}

function location(state, resolved) {
  const { chrom, start, end } = resolved;
  if (state.match === "bracket") return { referenceName: chrom, start: [start, Number(state.bracket.start_max)], end: [Number(state.bracket.end_min), end] };
  if (state.match === "contained") return { referenceName: chrom, start: [start, end], end: [start + 1, end + 1] };
  if (state.match === "spanning") return { referenceName: chrom, start: [0, start + 1], end: [end, BEYOND_ANY_CHROMOSOME] };
  if (resolved.kind === "gene") return { geneId: resolved.label };
  return { referenceName: chrom, start: [start], end: [end] };
}

/** {get, post, notes}: the Beacon request for the variants a search finds. */
export function beaconRequest(origin, state, resolved) {
  const { filters } = state;
  const parameters = { ...location(state, resolved), assemblyId: resolved.assembly };
  if (filters.variant_type) parameters.variantType = filters.variant_type;
  if (filters.min_length) parameters.variantMinLength = Number(filters.min_length);
  if (filters.max_length) parameters.variantMaxLength = Number(filters.max_length);
  const ids = filterIds(filters);
  const datasets = filters.datasets ? filters.datasets.split(",") : [];

  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters)) query.set(name, Array.isArray(value) ? value.join(",") : String(value));
  if (ids.length) query.set("filters", ids.join(","));
  if (datasets.length) query.set("datasetIds", datasets.join(","));
  query.set("requestedGranularity", "record");

  const body = {
    meta: { apiVersion: "v2.0" },
    query: {
      requestParameters: { ...parameters, ...(datasets.length ? { datasetIds: datasets } : {}) },
      filters: ids.map((id) => ({ id })),
      requestedGranularity: "record",
      pagination: { skip: 0, limit: 10 },
    },
  };
  const notes = [];
  if (filters.min_copy_number || filters.max_copy_number) notes.push("the copy-number range");
  if (filters.pass_only) notes.push("PASS-only");
  if (filters.biosample_id) notes.push("the samples (query /api/biosamples/{id}/g_variants instead)");
  for (const name of ["superpopulation", "population", "sex"]) {
    if (filters[name]?.includes(",")) notes.push(`several values of ${name} (Beacon filters on one field are combined with AND)`);
  }
  return { get: `${origin}/api/g_variants?${query}`, post: body, postUrl: `${origin}/api/g_variants`, notes };
}
