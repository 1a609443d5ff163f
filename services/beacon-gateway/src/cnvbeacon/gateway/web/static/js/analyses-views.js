// The views of the analyses page, each drawn from /api/query/analyses/{dataset}/...:
// genome summary, frequency maps, population comparison, CNV regions and V_ST outliers.
// A view is (body, context) -> content; context = {base, subset, params, signal, setParam}.

import { apiUrl, getJson } from "./api.js";
import { el } from "./dom.js";
import { bp, int, number, percent, region } from "./format.js";
import { createTable, remoteSource } from "./data-table.js";
import { factList, fill } from "./panel.js";
import { plotFigure } from "./plot-image.js";

const CHROMOSOMES = [...Array.from({ length: 22 }, (_, i) => String(i + 1)), "X", "Y"];
const CLASSES = ["deletion", "duplication", "deletion+duplication", "multi-allelic", "complex", "undetermined"];

function tsvLink(base, what, params, label = "Download TSV") {
  return el("a", { href: apiUrl(`${base}/${what}`, { ...params, format: "tsv", download: "true" }), download: "", class: "button button--small", dataset: { tsv: what } }, label);
}

function chooser(id, label, choices, value, onChange) {
  const control = el("select", { id }, choices.map(([v, text]) => el("option", { value: v }, text)));
  control.value = value;
  control.addEventListener("change", () => onChange(control.value));
  return el("div", { class: "field field--inline" }, el("label", { for: id }, label), control);
}

const geneLinks = (genes) => (genes?.length ? genes.slice(0, 5).map((g, i) => [i ? ", " : "", el("a", { href: `/?q=${encodeURIComponent(g)}` }, g)]) : "–");

// --------------------------------------------------------------------------- summary

export async function summaryView({ base, subset, signal }) {
  const body = await getJson(apiUrl(`${base}/summary`, subset), { signal });
  const s = body.summary;
  const classes = Object.entries(s.cnvr_classes).filter(([, n]) => n > 0).map(([name, n]) => `${int(n)} ${name}`).join(", ");
  const chromosomes = el(
    "div",
    { class: "table-scroll" },
    el(
      "table",
      { class: "table table--compact" },
      el("caption", {}, "CNV regions per chromosome"),
      el("thead", {}, el("tr", {}, ["Chromosome", "Length", "CNVRs", "Bases covered", "Share"].map((h, i) => el("th", { scope: "col", class: i ? "num" : null }, h)))),
      el("tbody", {}, s.chromosomes.map((c) => el("tr", {}, el("th", { scope: "row" }, c.chrom), el("td", { class: "num" }, bp(c.length)), el("td", { class: "num" }, int(c.cnvrs)), el("td", { class: "num" }, bp(c.bases_covered)), el("td", { class: "num" }, `${number(c.percent, 2)}%`)))),
    ),
  );
  return [
    el(
      "div",
      { class: "two-columns" },
      factList([
        ["Samples", int(s.samples)],
        ["Calls", `${int(s.calls)} (${int(s.loss_calls)} losses, ${int(s.gain_calls)} gains)`],
        ["CNV regions (CNVRs)", `${int(s.cnvrs)}${classes ? `: ${classes}` : ""}`],
        ["Singleton CNVRs", int(s.singleton_cnvrs)],
        ["CNV events", int(s.events)],
        ["Genome covered", `${bp(s.bases_covered)} (${number(s.percent_of_genome, 2)}%)`],
        ["Median deletion", bp(s.sizes.deletion_calls.median)],
        ["Median duplication", bp(s.sizes.duplication_calls.median)],
        ["Calls per sample", `median ${number(s.calls_per_sample.median, 0)} (${number(s.calls_per_sample.min, 0)}–${number(s.calls_per_sample.max, 0)})`],
        ["CNVRs overlapping genes", percent(s.gene_overlap.all.fraction)],
      ]),
      plotFigure({ path: `${base}/plots/sizes.svg`, params: subset, alt: "Size distributions of deletions, duplications and CNV regions", name: "sizes" }),
    ),
    el("p", { class: "actions" }, tsvLink(base, "summary", subset, "Download the summary (TSV)"), tsvLink(base, "samples", subset, "Per-sample profiles (TSV)")),
    chromosomes,
  ];
}

// --------------------------------------------------------------------------- frequency

export function frequencyView({ base, subset, params, setParam }) {
  const chrom = params.get("chrom") ?? "";
  const where = chrom ? `chromosome ${chrom}` : "the genome";
  return [
    el(
      "div",
      { class: "view-controls" },
      chooser("freq-chrom", "Show", [["", "Whole genome"], ...CHROMOSOMES.map((c) => [c, `Chromosome ${c}`])], chrom, (value) => setParam("chrom", value)),
      tsvLink(base, "frequencies", { ...subset, chrom }, "Frequencies per 1 Mb (TSV)"),
      tsvLink(base, "frequencies", { ...subset, chrom, unit: "genes" }, "Per gene (TSV)"),
    ),
    plotFigure({
      path: `${base}/plots/frequency.svg`,
      params: { ...subset, chrom },
      alt: `Share of samples with a gain or a loss along ${where}`,
      caption: `Share of samples with a gain (up) or a loss (down) along ${where}.`,
      name: chrom ? `frequency-chr${chrom}` : "frequency",
    }),
  ];
}

// --------------------------------------------------------------------------- populations

function geneComparison(base, subset, signal) {
  const input = el("input", { id: "compare-gene", type: "search", placeholder: "e.g. BTNL8", autocomplete: "off" });
  const out = el("div", { class: "compare-out" });
  const form = el(
    "form",
    { class: "view-controls" },
    el("div", { class: "field field--inline" }, el("label", { for: "compare-gene" }, "Compare a gene across groups"), input),
    el("button", { type: "submit", class: "button button--small" }, "Compare"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const gene = input.value.trim();
    if (!gene) return;
    fill(
      out,
      async () => {
        const body = await getJson(apiUrl(`${base}/frequencies`, { ...subset, unit: "genes", gene, group: "all,superpopulation,population" }), { signal });
        if (body.rows.length === 0) return el("p", { class: "muted" }, `No protein-coding gene ${gene} in the analysis.`);
        const row = body.rows[0];
        return el(
          "div",
          { class: "table-scroll" },
          el(
            "table",
            { class: "table table--compact" },
            el("caption", {}, `${row.symbol}, ${region(row.chrom, row.start, row.end)}: share of samples with a loss or gain overlapping it`),
            el("thead", {}, el("tr", {}, ["Group", "Samples", "Loss", "Gain"].map((h, i) => el("th", { scope: "col", class: i ? "num" : null }, h)))),
            el("tbody", {}, body.groups.map((g) => el("tr", {}, el("th", { scope: "row" }, g.id), el("td", { class: "num" }, int(g.samples)), el("td", { class: "num" }, percent(row.loss_frequency[g.id])), el("td", { class: "num" }, percent(row.gain_frequency[g.id]))))),
          ),
        );
      },
      { signal },
    );
  });
  return [form, out];
}

export function populationsView({ base, subset, params, setParam, signal }) {
  const group = params.get("group") === "population" ? "population" : "superpopulation";
  return [
    el(
      "div",
      { class: "view-controls" },
      chooser("pop-group", "Groups", [["superpopulation", "Superpopulations"], ["population", "Populations"]], group, (value) => setParam("group", value === "superpopulation" ? "" : value)),
      tsvLink(base, "frequencies", { ...subset, group }, "Frequencies by group (TSV)"),
    ),
    plotFigure({
      path: `${base}/plots/populations.svg`,
      params: { ...subset, group },
      alt: `Gain and loss frequency along the genome, one track per ${group}`,
      caption: `Gain and loss frequency, one track per ${group}.`,
      name: "populations",
    }),
    ...geneComparison(base, subset, signal),
  ];
}

// --------------------------------------------------------------------------- CNV regions

/** A CNVR's V_ST between superpopulations; NA for a singleton (one sample: no group signal)
 * and where it is undefined (no variance). */
function vstCell(r) {
  if (r.samples < 2) return el("abbr", { title: "not applicable: a singleton CNVR (one sample)" }, "NA");
  if (r.vst_superpopulation === null) return el("abbr", { title: "not defined: no variance between samples" }, "NA");
  return number(r.vst_superpopulation, 3);
}

const REGION_COLUMNS = [
  { key: "position", label: "CNV region", header: true, render: (r) => el("a", { href: `/?q=${encodeURIComponent(`chr${r.chrom}:${r.start}-${r.end}`)}`, class: "mono" }, region(r.chrom, r.start, r.end)) },
  { key: "class", label: "Class", render: (r) => r.class },
  { key: "length", label: "Size", numeric: true, render: (r) => bp(r.length) },
  { key: "samples", label: "Samples", numeric: true, render: (r) => int(r.samples) },
  { key: "frequency", label: "Frequency", numeric: true, render: (r) => percent(r.frequency) },
  { key: "split", label: "Loss / gain samples", numeric: true, render: (r) => `${int(r.loss_samples)} / ${int(r.gain_samples)}` },
  { key: "vst", label: "V_ST", numeric: true, render: vstCell },
  { key: "genes", label: "Genes", render: (r) => geneLinks(r.genes) },
];

export function regionsView({ base, subset, params, setParam, signal }) {
  const filters = {
    class: params.get("class") ?? "",
    chrom: params.get("chrom") ?? "",
    min_samples: params.get("min_samples") ?? "",
    gene: params.get("gene") ?? "",
  };
  const form = el(
    "form",
    { class: "view-controls", "aria-label": "Filter the CNV regions" },
    chooser("cnvr-class", "Class", [["", "Any"], ...CLASSES.map((c) => [c, c])], filters.class, () => {}),
    chooser("cnvr-chrom", "Chromosome", [["", "Any"], ...CHROMOSOMES.map((c) => [c, c])], filters.chrom, () => {}),
    el("div", { class: "field field--inline" }, el("label", { for: "cnvr-min" }, "In at least"), el("input", { id: "cnvr-min", type: "number", min: "0", value: filters.min_samples, class: "input--narrow" }), el("span", {}, "samples")),
    el("div", { class: "field field--inline" }, el("label", { for: "cnvr-gene" }, "Gene"), el("input", { id: "cnvr-gene", type: "search", value: filters.gene, class: "input--narrow" })),
    el("button", { type: "submit", class: "button button--small" }, "Filter"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    setParam({ class: form.querySelector("#cnvr-class").value, chrom: form.querySelector("#cnvr-chrom").value, min_samples: form.querySelector("#cnvr-min").value, gene: form.querySelector("#cnvr-gene").value.trim() });
  });
  const query = { ...subset, ...filters };
  // Frequency is samples over the dataset's samples: the same order as samples.
  const sorts = { position: "position", samples: "samples", frequency: "samples", length: "length", vst: "vst" };
  const source = remoteSource(async (offset, limit, sort, pageSignal) => {
    const body = await getJson(apiUrl(`${base}/cnvrs`, { ...query, offset, limit, sort: sort ? sorts[sort.key] : "position" }), { signal: pageSignal ?? signal });
    return { rows: body.rows, total: body.total };
  }, Object.keys(sorts));
  return [
    form,
    el("p", { class: "actions" }, tsvLink(base, "cnvrs", query, "Download these CNV regions (TSV)"), tsvLink(base, "events", query, "Their CNV events (TSV)")),
    createTable({ columns: REGION_COLUMNS, source, caption: "CNV regions", signal, rowKey: (r) => String(r.id) }),
    plotFigure({
      path: `${base}/plots/cnvr-map.svg`,
      params: { ...subset, ...(filters.min_samples ? { min_samples: filters.min_samples } : {}) },
      alt: "Map of the CNV regions along the genome",
      caption: "CNV regions along the genome (by default those in at least 1% of the samples).",
      name: "cnvr-map",
    }),
  ];
}

// --------------------------------------------------------------------------- V_ST

export async function vstView({ base, subset, params, setParam, signal }) {
  const by = params.get("by") === "population" ? "population" : "superpopulation";
  const minSamples = params.get("min_samples") ?? "";
  const query = { ...subset, by, ...(minSamples ? { min_samples: minSamples } : {}) };
  const body = await getJson(apiUrl(`${base}/vst`, { ...query, limit: 100 }), { signal });
  const groups = body.outliers[0] ? Object.keys(body.outliers[0].carrier_frequency) : [];
  const table = el(
    "div",
    { class: "table-scroll" },
    el(
      "table",
      { class: "table table--compact" },
      el("caption", {}, `CNV regions ranked by V_ST between ${by}s (the top 100)`),
      el("thead", {}, el("tr", {}, ["Rank", "CNV region", "V_ST", "F_ST", "Samples", "Genes", ...groups].map((h, i) => el("th", { scope: "col", class: i === 1 || i === 5 ? null : "num" }, h)))),
      el(
        "tbody",
        {},
        body.outliers.length
          ? body.outliers.map((o) =>
              el(
                "tr",
                {},
                el("td", { class: "num" }, int(o.rank)),
                el("th", { scope: "row" }, el("a", { href: `/?q=${encodeURIComponent(`chr${o.chrom}:${o.start}-${o.end}`)}`, class: "mono" }, region(o.chrom, o.start, o.end))),
                el("td", { class: "num" }, number(o.vst, 3)),
                el("td", { class: "num" }, number(o.fst, 3)),
                el("td", { class: "num" }, int(o.samples)),
                el("td", {}, geneLinks(o.genes)),
                groups.map((g) => el("td", { class: "num" }, percent(o.carrier_frequency[g]))),
              ),
            )
          : el("tr", {}, el("td", { colspan: "6", class: "muted" }, `No CNV region is carried by at least ${int(body.min_samples)} samples in two or more groups, so none can be ranked.`)),
      ),
    ),
  );
  const minInput = el("input", { id: "vst-min", type: "number", min: "1", value: String(body.min_samples), class: "input--narrow" });
  const form = el(
    "form",
    { class: "view-controls" },
    chooser("vst-by", "Between", [["superpopulation", "Superpopulations"], ["population", "Populations"]], by, (value) => setParam("by", value === "superpopulation" ? "" : value)),
    el("div", { class: "field field--inline" }, el("label", { for: "vst-min" }, "CNVRs in at least"), minInput, el("span", {}, "samples")),
    el("button", { type: "submit", class: "button button--small" }, "Apply"),
    tsvLink(base, "vst", query, "Download the ranking (TSV)"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    setParam("min_samples", minInput.value);
  });
  const spread = body.distribution;
  return [
    form,
    el("p", { class: "panel__note" }, `${int(body.tested)} CNV regions tested.`, spread.median !== null ? ` V_ST median ${number(spread.median, 3)}, 95th percentile ${number(spread.p95, 3)}, 99th ${number(spread.p99, 3)}.` : ""),
    plotFigure({ path: `${base}/plots/vst.svg`, params: query, alt: `V_ST between ${by}s of each CNV region along the genome`, caption: `V_ST between ${by}s: the outliers differ most between groups.`, name: "vst" }),
    table,
  ];
}
