// The search page (/): the form, and for a search in the URL its result: what was found
// (counts), where (region plot), in whom (population frequencies), at which loci (variant
// regions, with their frequencies), which variants, and how to download or reproduce it.
// Each section loads on its own.

import { ApiError, apiUrl, getJson, isAbort } from "./api.js";
import { el, entryPath, replace } from "./dom.js";
import { bp, chromName, int } from "./format.js";
import { countsContent } from "./counts-panel.js";
import { downloadsContent } from "./downloads-panel.js";
import { frequencyContent } from "./frequency-panel.js";
import { fill, section } from "./panel.js";
import { regionPanelParts } from "./region-panel.js";
import { createSearchForm } from "./search-form.js";
import { variantRegionsContent } from "./variant-regions-panel.js";
import { variantsContent } from "./variants-panel.js";
import { BRACKET, MATCHES, lookupParams, readState, searchUrl } from "./search-state.js";
import { announce, errorBox, loading, notice } from "./status.js";
import { VARIANT_TYPES } from "./vocabulary.js";

const KINDS = { region: "region", chromosome: "whole chromosome", cytoband: "cytoband", gene: "gene", genes: "genes", variant: "variant" };
const GENE_LIKE = /^[A-Za-z][A-Za-z0-9_.-]{1,39}$/;

function introduction() {
  return el(
    "div",
    { class: "intro" },
    el("h2", {}, "Is a copy-number variant common in healthy people?"),
    el(
      "p",
      {},
      "Search the germline deletions and duplications called by Illumina DRAGEN in the 3,202 deeply sequenced 1000 Genomes samples. ",
      "Enter a gene, a region or a cytoband to see how many people carry a loss or gain there, in which populations, and which variants they carry.",
    ),
    el(
      "ul",
      { class: "intro__links" },
      el("li", {}, el("a", { href: "/analyses" }, "Genome-wide analyses"), " — frequency maps, CNV regions, population differentiation"),
      el("li", {}, el("a", { href: "/datasets" }, "Datasets"), " — what is loaded, and how much"),
      el("li", {}, el("a", { href: "/api/openapi.json" }, "API"), " — the same data for scripts, and a GA4GH Beacon v2"),
    ),
  );
}

function filterSummary(state) {
  const parts = [`Variants ${state.match === "bracket" ? `${BRACKET} (start before ${int(Number(state.bracket.start_max))}, end from ${int(Number(state.bracket.end_min))})` : MATCHES[state.match]}`];
  const type = VARIANT_TYPES.find((t) => t.id === state.filters.variant_type);
  if (type?.id) parts.push(type.label.replace(/^— /, ""));
  if (state.filters.min_length) parts.push(`at least ${bp(Number(state.filters.min_length))}`);
  if (state.filters.max_length) parts.push(`at most ${bp(Number(state.filters.max_length))}`);
  if (state.filters.min_copy_number) parts.push(`copy number ≥ ${state.filters.min_copy_number}`);
  if (state.filters.max_copy_number) parts.push(`copy number ≤ ${state.filters.max_copy_number}`);
  if (state.filters.pass_only) parts.push("PASS only");
  for (const name of ["superpopulation", "population", "sex", "datasets"]) if (state.filters[name]) parts.push(`${name} ${state.filters[name]}`);
  if (state.filters.biosample_id) parts.push(`samples ${state.filters.biosample_id.split(",").join(", ")}`);
  return parts.join(" · ");
}

async function suggestionsFor(text, assembly, signal) {
  if (!GENE_LIKE.test(text)) return null;
  for (const prefix of [text, text.slice(0, 3)]) {
    try {
      const body = await getJson(apiUrl("/api/genes/suggest", { prefix, assembly, limit: 6 }), { signal });
      if (body.genes.length) return body.genes.map((g) => g.symbol);
    } catch (error) {
      if (isAbort(error)) throw error;
      return null;
    }
  }
  return null;
}

async function notUnderstood(state, error, signal) {
  const symbols = error.status === 400 ? await suggestionsFor(state.q, state.assembly, signal) : null;
  const suggestion = symbols
    ? el("p", {}, "Genes with similar names: ", symbols.map((symbol, i) => [i ? ", " : "", el("a", { href: searchUrl({ ...state, q: symbol }) }, symbol)]), ".")
    : null;
  const help =
    error.status === 400
      ? el("p", {}, "Examples: a gene (BTNL8), a region (chr5:180,000,000-181,500,000 or 5:180000000-181500000), a cytoband (17q21.31), or a variant id (GRCh38:5:180949351-181005751:DEL).")
      : null;
  const heading = error.status === 400 ? `Cannot search for “${state.q}”` : "The search could not be run";
  const unknownName = error.status === 400 && GENE_LIKE.test(state.q) && !/^(chr)?([0-9]{1,2}|X|Y|M)([pq:]|$)/i.test(state.q);
  const message = unknownName
    ? `No gene, cytoband or chromosome is called “${state.q}” on ${state.assembly || "GRCh38"}.`
    : error.message.charAt(0).toUpperCase() + error.message.slice(1);
  return el("div", { class: "search-problem" }, el("h2", {}, heading), errorBox(message, suggestion, help));
}

function resultHeader(state, resolved) {
  const where = `${chromName(resolved.chrom)}:${int(resolved.start)}-${int(resolved.end)}`;
  const title = resolved.kind === "region" ? where : resolved.label;
  return el(
    "header",
    { class: "result-head" },
    el("h2", { id: "result-title" }, title),
    el("p", { class: "result-head__where" }, `${KINDS[resolved.kind] ?? resolved.kind} · ${where} · ${bp(resolved.length)} · ${resolved.assembly}`),
    el("p", { class: "result-head__filters" }, filterSummary(state)),
    ...(resolved.caveats ?? []).map((caveat) => notice("warning", el("p", { class: "caveat" }, caveat))),
  );
}

async function showResult(results, state, context) {
  const { signal, navigate } = context;
  replace(results, loading(`Looking up “${state.q}”…`));
  let resolved;
  try {
    resolved = await getJson(apiUrl("/api/resolve", { q: state.q, assembly: state.assembly }), { signal });
  } catch (error) {
    if (isAbort(error)) return;
    const problem = error instanceof ApiError ? await notUnderstood(state, error, signal).catch(() => errorBox(error)) : errorBox(error);
    replace(results, problem);
    document.title = `“${state.q}” not understood · cnvbeacon`;
    announce(`Cannot search for ${state.q}`);
    return;
  }
  if (resolved.kind === "variant") {
    navigate(entryPath("variants", state.q), { replace: true });
    return;
  }
  const lookup = lookupParams(state, resolved);
  const parts = { state, resolved, lookup, signal, navigate };
  const counts = section("counts", "Found");
  const plot = section("plot", "Region plot");
  const frequencies = section("frequencies", "Carriers by population");
  const regions = section("variant-regions", "Variant regions");
  const variants = section("variants", "Variants");
  const downloads = section("downloads", "Download and reproduce");
  const region = regionPanelParts(parts);
  plot.tools.append(region.tools);
  replace(results, resultHeader(state, resolved), counts.node, plot.node, frequencies.node, regions.node, variants.node, downloads.node);
  document.title = `${resolved.label} · cnvbeacon`;
  announce(`Results for ${resolved.label}`);
  replace(downloads.body, downloadsContent(parts));
  await Promise.all([
    fill(counts.body, (s) => countsContent(lookup, s), { signal, message: "Counting…" }),
    fill(plot.body, (s) => region.content(s), { signal, message: "Reading the calls of the region…" }),
    fill(frequencies.body, () => frequencyContent(parts), { signal, message: "Counting carriers in each population…" }),
    fill(regions.body, () => variantRegionsContent(parts), { signal, message: "Clustering the calls into variant regions…" }),
    fill(variants.body, () => variantsContent(parts), { signal, message: "Reading the variants…" }),
  ]);
}

export const searchPage = {
  title: "Search",
  section: "search",
  mount(outlet, context) {
    const results = el("div", { class: "results", "aria-live": "off" });
    const form = createSearchForm({
      onSearch: (state) => {
        if (!state.q) {
          form.focus();
          return;
        }
        context.navigate(searchUrl(state), { keepScroll: true });
      },
    });
    outlet.append(el("div", { class: "search-area" }, form.element), results);
    const update = (current) => {
      const state = readState(current.params);
      form.write(state);
      if (!state.q) {
        replace(results, introduction());
        document.title = "cnvbeacon: germline copy-number variants of the 1000 Genomes";
        return;
      }
      showResult(results, state, current);
    };
    update(context);
    return { update };
  },
};
