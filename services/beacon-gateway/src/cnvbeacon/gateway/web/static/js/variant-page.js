// A variant's page (/variants/{id}, id = assembly:chrom:start-end:DEL|DUP|CNV): where it
// is, the genes it touches, how frequent it is in each 1000 Genomes group (its Beacon
// record) and who carries it (the lookup API's exact match), with downloads.

import { ApiError, apiUrl, getJson } from "./api.js";
import { el, entryPath, replace } from "./dom.js";
import { bp, int, percent, region } from "./format.js";
import { createTable, localSource } from "./data-table.js";
import { downloadLinks } from "./downloads-panel.js";
import { populationToggle } from "./frequency-panel.js";
import { factList, fill, section } from "./panel.js";
import { cohorts, datasets } from "./reference.js";
import { errorBox, loading } from "./status.js";
import { syntheticNotice } from "./synthetic.js";
import { typeBadge } from "./variants-panel.js";
import { GAIN, LOSS, termLabel } from "./vocabulary.js";

const VARIANT_ID = /^([^:]+):(.+):(\d+)-(\d+):(DEL|DUP|CNV)$/;
const TYPE_TERMS = { DEL: LOSS, DUP: GAIN, CNV: "EFO:0030066" };

export function parseVariantId(id) {
  const match = VARIANT_ID.exec(id);
  if (!match) return null;
  const [, assembly, chrom, start, end, variantType] = match;
  return { id, assembly, chrom, start: Number(start), end: Number(end), variantType };
}

const CARRIER_COLUMNS = [
  { key: "sample", label: "Sample", header: true, sort: (c) => c.biosample_id, render: (c) => el("a", { href: entryPath("samples", c.biosample_id) }, c.biosample_id) },
  { key: "individual", label: "Individual", sort: (c) => c.individual_id, render: (c) => el("a", { href: entryPath("individuals", c.individual_id) }, c.individual_id) },
  { key: "sex", label: "Sex", sort: (c) => c.sex, render: (c) => c.sex ?? "–" },
  { key: "population", label: "Population", sort: (c) => [c.superpopulation, c.population], render: (c) => [c.population ?? "–", c.superpopulation ? el("span", { class: "muted" }, ` (${c.superpopulation})`) : null] },
  { key: "type", label: "Call", sort: (c) => c.efo_id, render: (c) => termLabel(c.efo_id) },
  { key: "cn", label: "Copy number", numeric: true, sort: (c) => c.copy_number, render: (c) => c.copy_number ?? "–" },
  { key: "gt", label: "Genotype", sort: (c) => c.genotype, render: (c) => c.genotype ?? "–" },
  { key: "pass", label: "PASS", sort: (c) => c.is_pass, render: (c) => (c.is_pass ? "yes" : "no") },
  { key: "vcf", label: "Source id", sort: (c) => c.vcf_id, render: (c) => el("span", { class: "mono small" }, c.vcf_id ?? "–") },
];

function frequencyTable(record, groups) {
  const levels = new Map(groups.map((g) => [g.code, g]));
  const rows = (record.frequencyInPopulations ?? []).flatMap((source) => source.frequencies.map((f) => ({ ...f, source: source.source })));
  if (rows.length === 0) return el("p", { class: "muted" }, "No population frequencies: no individual of this dataset has data.");
  const rank = (row) => (row.population === "all" ? 0 : levels.get(row.population)?.level === "superpopulation" ? 1 : 2);
  rows.sort((a, b) => rank(a) - rank(b) || a.population.localeCompare(b.population));
  const table = el(
      "table",
      { class: "table freq-table" },
      el("caption", { class: "visually-hidden" }, "Carriers and alleles of this variant per 1000 Genomes group, among the individuals with data"),
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          el("th", { scope: "col" }, "Group"),
          el("th", { scope: "col", class: "num" }, "Carriers"),
          el("th", { scope: "col", class: "num" }, "Individuals with data"),
          el("th", { scope: "col", class: "num" }, "Carrier frequency"),
          el("th", { scope: "col", class: "num" }, "Alleles (AC / AN)"),
          el("th", { scope: "col", class: "num" }, "Allele frequency"),
        ),
      ),
      el(
        "tbody",
        {},
        rows.map((row) => {
          const group = levels.get(row.population);
          const level = row.population === "all" ? "all" : group?.level ?? "population";
          return el(
            "tr",
            { class: `freq-row freq-row--${level}`, dataset: { group: row.population } },
            el("th", { scope: "row" }, level === "all" ? "All" : [el("abbr", { title: group?.label ?? row.population }, row.population), " ", el("span", { class: "muted group-label" }, group?.label ?? "")]),
            el("td", { class: "num" }, int(row.carriers)),
            el("td", { class: "num" }, int(row.individuals)),
            el("td", { class: "num", dataset: { value: "carrier-frequency" } }, percent(row.carrierFrequency)),
            el("td", { class: "num" }, `${int(row.alleleCount)} / ${int(row.alleleNumber)}`),
            el("td", { class: "num", dataset: { value: "allele-frequency" } }, percent(row.alleleFrequency)),
          );
        }),
      ),
    );
  return [
    el("p", { class: "panel__note" }, "Of the individuals with data in the dataset; allele counts from the carriers' genotypes, allele numbers from their ploidy (sex-aware on X and Y)."),
    el("div", { class: "table-scroll" }, table),
    populationToggle(table),
  ];
}

async function render(outlet, variant, signal) {
  datasets().catch(() => []); // asked at once: the synthetic-data warning needs them
  let record = null;
  try {
    record = await getJson(apiUrl(`/api/g_variants/${encodeURIComponent(variant.id)}`, { requestedGranularity: "record" }), { signal });
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 404) throw error;
  }
  const sets = record?.response?.resultSets?.filter((set) => set.results?.length) ?? [];
  const first = sets[0]?.results?.[0];
  const exact = { chrom: variant.chrom, start: variant.start, end: variant.end, match: "exact", assembly: variant.assembly, variant_type: TYPE_TERMS[variant.variantType] };
  const lookup = await getJson(apiUrl("/api/query/variants", { ...exact, limit: 10 }), { signal });
  const found = lookup.variants.find((v) => v.id === variant.id);
  if (!first && !found) throw new ApiError(404, `There is no variant ${variant.id} in the data.`);
  const genes = first?.molecularAttributes?.geneIds ?? [];
  const sourceIds = first?.identifiers?.variantAlternativeIds?.map((i) => i.id) ?? [];
  const pad = Math.max(Math.round((variant.end - variant.start) * 0.5), 1000);
  const around = `chr${variant.chrom}:${Math.max(variant.start - pad, 0)}-${variant.end + pad}`;
  const kind = variant.variantType === "DEL" ? "Deletion" : variant.variantType === "DUP" ? "Duplication" : "Copy-number variant";
  const datasetIds = sets.map((s) => s.id).concat(found?.dataset_ids ?? []);
  const warning = await syntheticNotice(datasetIds);
  const carriers = section("carriers", `Carriers (${int(found?.biosample_count ?? 0)})`);
  const frequencies = section("variant-frequencies", "Frequency in 1000 Genomes groups");
  replace(
    outlet,
    el("p", { class: "breadcrumb" }, el("a", { href: `/?q=${encodeURIComponent(around)}` }, "◀ Search around this variant")),
    el("h1", {}, `${kind} `, el("span", { class: "mono" }, region(variant.chrom, variant.start, variant.end))),
    warning,
    factList([
      ["Variant id", el("span", { class: "mono" }, variant.id)],
      ["Type", typeBadge(variant.variantType, found?.efo_ids ?? [])],
      ["Size", bp(variant.end - variant.start)],
      ["Assembly", variant.assembly],
      ["Genes", genes.length ? genes.map((g, i) => [i ? ", " : "", el("a", { href: `/?q=${encodeURIComponent(g)}` }, g)]) : "none"],
      ["Datasets", sets.map((s) => s.id).join(", ") || (found?.dataset_ids ?? []).join(", ")],
      sourceIds.length ? ["Source VCF ids", el("span", { class: "mono small" }, sourceIds.join(", "))] : null,
    ]),
    el(
      "div",
      { class: "actions" },
      el("span", {}, "Download its calls: "),
      downloadLinks("calls", exact, "Download this variant's calls"),
      el("a", { href: apiUrl(`/api/g_variants/${encodeURIComponent(variant.id)}`, { requestedGranularity: "record" }), class: "button button--small button--quiet" }, "Beacon record (JSON)"),
    ),
    frequencies.node,
    carriers.node,
  );
  document.title = `${kind} ${region(variant.chrom, variant.start, variant.end)} · cnvbeacon`;
  replace(carriers.body, createTable({ columns: CARRIER_COLUMNS, source: localSource(found?.carriers ?? [], CARRIER_COLUMNS), caption: "Carriers of this variant", rowKey: (c) => c.biosample_id }));
  await fill(frequencies.body, async () => frequencyTable(first ?? {}, await cohorts().catch(() => [])), { signal });
}

export const variantPage = {
  title: "Variant",
  section: "search",
  mount(outlet, context) {
    const id = decodeURIComponent(context.match[1]);
    const variant = parseVariantId(id);
    const holder = el("div", { class: "entry" }, loading(`Reading variant ${id}…`));
    outlet.append(holder);
    if (!variant) {
      replace(holder, el("h1", {}, "Not a variant id"), errorBox(`“${id}” is not a variant id; they look like GRCh38:5:180949351-181005751:DEL.`));
      return {};
    }
    render(holder, variant, context.signal).catch((error) => {
      if (context.signal.aborted) return;
      replace(holder, el("h1", {}, "Variant not shown"), errorBox(error), el("p", {}, el("a", { href: "/" }, "Back to the search")));
    });
    return {};
  },
};
