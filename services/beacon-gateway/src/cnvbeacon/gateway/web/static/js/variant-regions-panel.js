// The search's variant regions (GET /api/query/variant_regions): its calls clustered into
// loci (the analyses' CNV events: calls overlapping a founding interval reciprocally by at
// least half), each with the carrier and allele frequencies of losses and gains over the
// individuals with data in its dataset, and, per group, carriers by copy number.

import { apiUrl, getJson } from "./api.js";
import { el, replace } from "./dom.js";
import { bp, int, percent, region } from "./format.js";
import { createTable, remoteSource } from "./data-table.js";
import { populationToggle } from "./frequency-panel.js";
import { cohorts, datasets } from "./reference.js";
import { searchUrl } from "./search-state.js";
import { notice } from "./status.js";
import { syntheticNotice } from "./synthetic.js";

// Frequencies of a region are of its whole dataset: these filters are not sent.
export const SAMPLE_FILTERS = ["sex", "population", "superpopulation", "biosample_id"];
export const REGION_FORMATS = [
  ["tsv", "TSV", "tab-separated: frequencies overall and per superpopulation"],
  ["bed", "BED", "BED9 for genome browsers: span, founding interval thick"],
  ["vcf", "VCF", "sites-only VCF 4.2 with AC, AN and AF overall and per superpopulation"],
  ["jsonl", "JSON", "JSON lines: every group of every region"],
];
const ORDERS = { region: "position", carriers: "carriers", length: "length" };
const FIRST_PAGE = 10; // each region's frequencies cost its calls: the rest on request
const CLASS_LABELS = {
  deletion: "deletion",
  duplication: "duplication",
  "deletion+duplication": "deletion and duplication",
  "multi-allelic": "multi-allelic",
  complex: "complex",
  undetermined: "undetermined",
};

/** The lookup of a search without its sample filters. */
export function regionLookup(lookup) {
  return Object.fromEntries(Object.entries(lookup).filter(([name]) => !SAMPLE_FILTERS.includes(name)));
}

const everyone = (row) => row.groups.find((g) => g.level === "all");

function frequencyText(counts) {
  if (!counts) return el("span", { class: "muted" }, "–");
  if (!counts.carriers) return el("span", { class: "muted" }, "0");
  return el(
    "span",
    { class: "region-freq" },
    `${percent(counts.carrier_frequency)} `,
    el("span", { class: "muted" }, `(${int(counts.carriers)})`),
    el("br"),
    el("span", { class: "region-freq__af", title: `allele count ${int(counts.allele_count)} of ${int(counts.allele_number)}` }, `AF ${counts.allele_frequency === null ? "–" : percent(counts.allele_frequency)}`),
  );
}

function copyNumberText(group) {
  const parts = Object.entries(group.copy_numbers).map(([copies, n]) => `${copies === "." ? "CN ?" : `CN${copies}`}: ${int(n)}`);
  parts.push(`no call: ${int(group.individuals - group.carriers)}`);
  return parts.join(" · ");
}

function detailRows(groups, labels) {
  const rows = [];
  const label = (g) => labels.get(g.code) ?? g.code;
  const all = groups.find((g) => g.level === "all");
  if (all) rows.push({ ...all, label: "All" });
  for (const superpopulation of groups.filter((g) => g.level === "superpopulation")) {
    rows.push({ ...superpopulation, label: label(superpopulation) });
    for (const population of groups.filter((g) => g.level === "population" && g.superpopulation === superpopulation.code)) rows.push({ ...population, label: label(population) });
  }
  const placed = new Set(rows.map((r) => `${r.level}:${r.code}`));
  for (const population of groups.filter((g) => !placed.has(`${g.level}:${g.code}`))) rows.push({ ...population, label: label(population) });
  return rows;
}

function regionDetail(row, labels, state) {
  const where = region(row.chrom, row.start + 1, row.end);
  const table = el(
    "table",
    { class: "table freq-table region-detail__table", dataset: { region: row.id } },
    el("caption", { class: "visually-hidden" }, `Frequencies and copy numbers of the variant region ${where} per 1000 Genomes group`),
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        el("th", { scope: "col" }, "Group"),
        el("th", { scope: "col", class: "num" }, "Individuals with data"),
        el("th", { scope: "col" }, "Loss carriers · allele frequency"),
        el("th", { scope: "col" }, "Gain carriers · allele frequency"),
        el("th", { scope: "col" }, "Carriers by copy number"),
      ),
    ),
    el(
      "tbody",
      {},
      detailRows(row.groups, labels).map((group) =>
        el(
          "tr",
          { class: `freq-row freq-row--${group.level}`, dataset: { group: group.code } },
          el("th", { scope: "row" }, group.level === "all" ? group.label : [el("abbr", { title: group.label }, group.code), " ", el("span", { class: "muted group-label" }, group.label)]),
          el("td", { class: "num" }, int(group.individuals)),
          el("td", { class: "region-cell--loss" }, frequencyText(group.loss)),
          el("td", { class: "region-cell--gain" }, frequencyText(group.gain)),
          el("td", { class: "copy-numbers" }, copyNumberText(group)),
        ),
      ),
    ),
  );
  const calls = searchUrl({ ...state, match: "overlap", bracket: undefined, q: `chr${row.chrom}:${row.span_start + 1}-${row.span_end}` });
  return [
    el("h3", { class: "panel__subhead", id: "region-detail-title" }, `Variant region ${where}`),
    el(
      "p",
      { class: "panel__note" },
      `${CLASS_LABELS[row.class] ?? row.class}; ${int(row.calls)} calls of ${int(row.carriers)} individuals, ${bp(row.min_length)} to ${bp(row.max_length)}, spanning ${region(row.chrom, row.span_start + 1, row.span_end)}. `,
      el("a", { href: calls }, "Search its span"),
      ".",
    ),
    el("div", { class: "table-scroll" }, table),
    populationToggle(table),
  ];
}

export function regionDownloads(lookup) {
  return el(
    "ul",
    { class: "downloads", "aria-label": "Download the variant regions" },
    REGION_FORMATS.map(([format, name, hint]) =>
      el("li", {}, el("a", { href: apiUrl("/api/exports/variant_regions", { ...regionLookup(lookup), format }), download: "", class: "button button--small", title: hint, dataset: { format, grouping: "variant_regions" } }, name)),
    ),
  );
}

export async function variantRegionsContent({ state, lookup, signal }) {
  const query = regionLookup(lookup);
  const [groups, known] = await Promise.all([cohorts(state.filters.datasets ?? "").catch(() => []), datasets().catch(() => [])]);
  const labels = new Map(groups.map((g) => [g.code, g.label]));
  const names = new Map(known.map((d) => [d.id, d.name ?? d.id]));
  const detail = el("div", { class: "region-detail", "aria-live": "polite" });
  const summary = el("p", { class: "panel__note" });
  let datasetsSeen = new Set();
  const select = (row) => {
    replace(detail, regionDetail(row, labels, state));
    detail.querySelector("h3")?.scrollIntoView({ block: "nearest" });
  };
  const first = await getJson(apiUrl("/api/query/variant_regions", { ...query, order: "carriers", limit: FIRST_PAGE }), { signal });
  const source = remoteSource(async (offset, limit, sort, pageSignal) => {
    const order = ORDERS[sort?.key] ?? "carriers";
    const body =
      offset === 0 && limit === FIRST_PAGE && order === "carriers"
        ? first
        : await getJson(apiUrl("/api/query/variant_regions", { ...query, order, skip: offset, limit }), { signal: pageSignal });
    datasetsSeen = new Set([...datasetsSeen, ...body.regions.map((r) => r.dataset_id)]);
    return { rows: body.regions, total: body.counts.regions };
  }, Object.keys(ORDERS));
  const total = first.counts.regions;
  replace(
    summary,
    `${int(total)} variant region${total === 1 ? "" : "s"} from ${int(first.counts.calls)} calls: calls are joined where they overlap a region's founding interval by at least half of the longer (reciprocally), as the CNV events of the analyses. Frequencies are over the individuals with data in the region's dataset; allele frequencies (AF) count alleles from genotypes, by sex on X and Y.`,
  );
  if (total === 0) return [summary, notice("info", el("p", {}, "No call found here, so there is no variant region."))];
  const several = new Set(first.regions.map((r) => r.dataset_id)).size > 1 || (state.filters.datasets ?? "").includes(",");
  const columns = [
    {
      key: "region",
      label: "Region",
      header: true,
      render: (row) => [
        el("button", { type: "button", class: "link-button", onclick: () => select(row), "aria-describedby": "region-detail-hint" }, region(row.chrom, row.start + 1, row.end)),
        several || datasetsSeen.size > 1 ? el("span", { class: "muted region-dataset" }, ` ${names.get(row.dataset_id) ?? row.dataset_id}`) : null,
      ],
    },
    { key: "class", label: "Class", render: (row) => el("span", { class: `region-class region-class--${row.class.replace("+", "-")}` }, CLASS_LABELS[row.class] ?? row.class) },
    { key: "length", label: "Size", render: (row) => (row.min_length === row.max_length ? bp(row.min_length) : `${bp(row.min_length)} – ${bp(row.max_length)}`) },
    { key: "calls", label: "Calls", numeric: true, render: (row) => int(row.calls) },
    { key: "carriers", label: "Carriers", numeric: true, render: (row) => int(row.carriers) },
    { key: "loss", label: "Loss carriers · AF", render: (row) => frequencyText(everyone(row)?.loss) },
    { key: "gain", label: "Gain carriers · AF", render: (row) => frequencyText(everyone(row)?.gain) },
  ];
  const table = createTable({ columns, source, caption: "Variant regions of the search", pageSize: FIRST_PAGE, initialSort: { key: "carriers", descending: true }, rowKey: (row) => row.id, signal });
  const filtered = SAMPLE_FILTERS.filter((name) => state.filters[name]);
  const synthetic = await syntheticNotice([...new Set(first.regions.map((r) => r.dataset_id))]);
  select(first.regions[0]);
  return [
    summary,
    synthetic,
    filtered.length
      ? notice("info", el("p", {}, `The ${filtered.join(", ")} filter${filtered.length > 1 ? "s apply" : " applies"} to the calls and counts above, not to variant regions: their frequencies are of every group of the whole dataset.`))
      : null,
    el("p", { class: "visually-hidden", id: "region-detail-hint" }, "Shows the region's frequencies in every group below the table."),
    table,
    detail,
    el("div", { class: "region-downloads" }, el("span", { class: "panel__note" }, "Download every variant region: "), regionDownloads(lookup)),
  ];
}
