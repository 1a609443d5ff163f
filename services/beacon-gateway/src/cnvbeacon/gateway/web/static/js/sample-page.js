// A sample's page (/samples/{id}) and an individual's page (/individuals/{id}): who it is
// (sex, population: Beacon records), and the sample's calls as a genome plot and a table
// (the fields the page shows of each call: /api/query/biosamples/{id}/calls).

import { ApiError, apiUrl, getJson } from "./api.js";
import { el, entryPath, replace } from "./dom.js";
import { bp, int, region } from "./format.js";
import { createTable, localSource } from "./data-table.js";
import { downloadLinks } from "./downloads-panel.js";
import { drawGenomePlot } from "./genome-plot.js";
import { factList, fill, section } from "./panel.js";
import { chromosomeLength, datasets } from "./reference.js";
import { errorBox, loading } from "./status.js";
import { syntheticNotice } from "./synthetic.js";
import { variantId } from "./region-plot.js";
import { direction, termLabel, zygosityLabel } from "./vocabulary.js";

const MAX_CALLS = 20_000;
const PAGE = 5000; // the query service's largest page: most samples' calls at once
const CALL_FIELDS = "id,assembly,chrom,start,end,variant_type,efo_id,copy_number,zygosity_id,genes";
const CHROMOSOME_ORDER = [...Array.from({ length: 22 }, (_, i) => String(i + 1)), "X", "Y", "M", "MT"];

async function beaconRecord(path, signal) {
  try {
    const body = await getJson(apiUrl(path, { requestedGranularity: "record" }), { signal });
    return body.response?.resultSets?.flatMap((set) => set.results.map((r) => ({ ...r, dataset: set.id }))) ?? [];
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return [];
    throw error;
  }
}

/** A call as the page shows it. */
function callOf(call) {
  return {
    id: call.id,
    variant: variantId(call),
    assembly: call.assembly,
    chrom: call.chrom,
    start: call.start,
    end: call.end,
    type: call.variant_type,
    copyNumber: call.copy_number ?? null,
    zygosity: call.zygosity_id ? zygosityLabel(call.zygosity_id) : "",
    change: termLabel(call.efo_id),
    genes: call.genes ?? [],
  };
}

function geneLinks(call) {
  if (call.genes.length === 0) return "–";
  const links = call.genes.slice(0, 4).map((g, i) => [i ? ", " : "", el("a", { href: `/?q=${encodeURIComponent(g)}` }, g)]);
  return [links, call.genes.length > 4 ? el("span", { class: "muted" }, ` +${call.genes.length - 4}`) : null];
}

const CALL_COLUMNS = [
  { key: "position", label: "Variant", header: true, sort: (c) => [CHROMOSOME_ORDER.indexOf(c.chrom), c.start], render: (c) => el("a", { href: entryPath("variants", c.variant), class: "mono" }, region(c.chrom, c.start, c.end)) },
  { key: "type", label: "Type", sort: (c) => c.change, render: (c) => [el("span", { class: `type type--${direction(c.type)}` }, direction(c.type) === "loss" ? "Loss" : "Gain"), el("span", { class: "muted type-detail" }, ` ${c.change}`)] },
  { key: "size", label: "Size", numeric: true, sort: (c) => c.end - c.start, render: (c) => bp(c.end - c.start) },
  { key: "cn", label: "Copy number", numeric: true, sort: (c) => c.copyNumber, render: (c) => c.copyNumber ?? "–" },
  { key: "zygosity", label: "Zygosity", sort: (c) => c.zygosity, render: (c) => c.zygosity || "–" },
  { key: "genes", label: "Genes", sort: (c) => c.genes.length, render: geneLinks },
];

/** The datasets holding records (each record's dataset), each named once. */
const datasetsOf = (records) => [...new Set(records.map((r) => r.dataset))].join(", ") || "–";

function personFacts(individual, datasets) {
  const ancestry = individual.info?.ancestry ?? {};
  const term = (value) => (value?.id ? `${value.label} (${String(value.id).split(":").pop()})` : "–");
  return [
    ["Sex", individual.sex?.label ?? "–"],
    ["Population", term(ancestry.population ?? individual.ethnicity)],
    ["Superpopulation", term(ancestry.superpopulation)],
    [datasets.includes(", ") ? "Datasets" : "Dataset", datasets],
  ];
}

/** The sample's calls (in every dataset shown), up to MAX_CALLS: pages one after another,
 * reporting progress. */
async function sampleCalls(sampleId, signal, onProgress) {
  const path = `/api/query/biosamples/${encodeURIComponent(sampleId)}/calls`;
  const page = (skip) => getJson(apiUrl(path, { fields: CALL_FIELDS, skip, limit: PAGE }), { signal });
  const first = await page(0);
  const total = Math.min(first.counts.calls, MAX_CALLS);
  const calls = first.calls.slice(0, total);
  while (calls.length < total) {
    onProgress(calls.length, total);
    const next = await page(calls.length);
    if (next.calls.length === 0) break;
    calls.push(...next.calls.slice(0, total - calls.length));
  }
  return calls.map(callOf);
}

async function callsSection(sampleId, callsRead, signal) {
  const calls = await callsRead;
  const chromosomes = [...new Set(calls.map((c) => c.chrom))].sort((a, b) => CHROMOSOME_ORDER.indexOf(a) - CHROMOSOME_ORDER.indexOf(b));
  const assembly = calls[0]?.assembly ?? "GRCh38";
  const lengths = new Map(await Promise.all(chromosomes.map(async (c) => [c, await chromosomeLength(c, assembly).catch(() => Math.max(...calls.filter((x) => x.chrom === c).map((x) => x.end)))])));
  const losses = calls.filter((c) => direction(c.type) === "loss");
  const gains = calls.filter((c) => direction(c.type) === "gain");
  const holder = el("div", { class: "plot-holder" });
  const draw = () => {
    const plotCalls = calls.map((c) => ({ ...c, href: entryPath("variants", c.variant), label: `${region(c.chrom, c.start, c.end)} ${c.change} (${bp(c.end - c.start)})` }));
    replace(holder, drawGenomePlot({ calls: plotCalls, chromosomes, lengths, width: Math.max(holder.clientWidth, 280) }));
  };
  const observer = new ResizeObserver(() => window.requestAnimationFrame(draw));
  observer.observe(holder);
  signal.addEventListener("abort", () => observer.disconnect());
  return [
    factList([
      ["Calls", int(calls.length)],
      ["Losses", `${int(losses.length)} (${bp(losses.reduce((sum, c) => sum + c.end - c.start, 0))})`],
      ["Gains", `${int(gains.length)} (${bp(gains.reduce((sum, c) => sum + c.end - c.start, 0))})`],
    ]),
    calls.length ? holder : el("p", { class: "muted" }, "No calls of this sample are loaded."),
    createTable({ columns: CALL_COLUMNS, source: localSource(calls, CALL_COLUMNS), caption: `Calls of ${sampleId}`, initialSort: { key: "position", descending: false }, rowKey: (c) => c.id }),
    el("h3", {}, "Download the calls"),
    downloadLinks("calls", { biosample_id: sampleId }, `Downloads of the calls of ${sampleId}`),
    el(
      "p",
      { class: "actions" },
      el("a", { class: "button button--small button--quiet", href: apiUrl(`/api/biosamples/${encodeURIComponent(sampleId)}/g_variants`, { requestedGranularity: "record", limit: 1000 }) }, "These calls as Beacon records (JSON)"),
    ),
  ];
}

async function renderSample(holder, sampleId, signal) {
  // The calls are read at once with the records: they need only the sample's id.
  const calls = section("sample-calls", "Calls");
  const callsRead = sampleCalls(sampleId, signal, (read, total) => {
    const status = calls.body.querySelector(".loading");
    if (status) status.lastChild.textContent = `Reading the sample's calls: ${int(read)} of ${int(total)}…`;
  });
  callsRead.catch(() => {}); // shown in the calls section, if there is a sample to show
  datasets().catch(() => []); // asked at once: the synthetic-data warning needs them
  const [samples, people] = await Promise.all([beaconRecord(`/api/biosamples/${encodeURIComponent(sampleId)}`, signal), beaconRecord(`/api/biosamples/${encodeURIComponent(sampleId)}/individuals`, signal)]);
  if (samples.length === 0) throw new ApiError(404, `There is no sample ${sampleId} in the data.`);
  const sample = samples[0];
  const person = people[0];
  const warning = await syntheticNotice(samples.map((s) => s.dataset));
  replace(
    holder,
    el("h1", {}, `Sample ${sampleId}`),
    warning,
    factList([
      ["Individual", el("a", { href: entryPath("individuals", sample.individualId) }, sample.individualId)],
      ...(person ? personFacts(person, datasetsOf(samples)) : [["Dataset", datasetsOf(samples)]]),
      ["Sample", [sample.sampleOriginType?.label, sample.biosampleStatus?.label].filter(Boolean).join(", ") || "–"],
    ]),
    calls.node,
  );
  document.title = `Sample ${sampleId} · cnvbeacon`;
  await fill(calls.body, (s) => callsSection(sampleId, callsRead, s), { signal, message: "Reading the sample's calls…" });
}

/** Each sample once (a sample id may be in several datasets), with its datasets. */
function uniqueSamples(samples) {
  const byId = new Map();
  for (const sample of samples) {
    if (!byId.has(sample.id)) byId.set(sample.id, { sample, records: [] });
    byId.get(sample.id).records.push(sample);
  }
  return [...byId.values()].map(({ sample, records }) => ({ sample, datasets: datasetsOf(records) }));
}

async function renderIndividual(holder, individualId, signal) {
  datasets().catch(() => []); // asked at once: the synthetic-data warning needs them
  const [people, samples] = await Promise.all([beaconRecord(`/api/individuals/${encodeURIComponent(individualId)}`, signal), beaconRecord(`/api/individuals/${encodeURIComponent(individualId)}/biosamples`, signal)]);
  if (people.length === 0) throw new ApiError(404, `There is no individual ${individualId} in the data.`);
  const warning = await syntheticNotice(people.map((p) => p.dataset));
  replace(
    holder,
    el("h1", {}, `Individual ${individualId}`),
    warning,
    factList(personFacts(people[0], datasetsOf(people))),
    el("h2", {}, "Samples"),
    samples.length
      ? el("ul", { class: "plain-list" }, uniqueSamples(samples).map(({ sample: s, datasets }) => el("li", {}, el("a", { href: entryPath("samples", s.id) }, s.id), el("span", { class: "muted" }, ` ${s.sampleOriginType?.label ?? ""} · ${datasets}`))))
      : el("p", { class: "muted" }, "No samples of this individual have calls loaded."),
  );
  document.title = `Individual ${individualId} · cnvbeacon`;
}

function entryPage(kind, renderEntry) {
  return {
    title: kind,
    section: "search",
    mount(outlet, context) {
      const id = decodeURIComponent(context.match[1]);
      const holder = el("div", { class: "entry" }, loading(`Reading ${kind} ${id}…`));
      outlet.append(holder);
      renderEntry(holder, id, context.signal).catch((error) => {
        if (context.signal.aborted) return;
        replace(holder, el("h1", {}, `${kind[0].toUpperCase()}${kind.slice(1)} not shown`), errorBox(error), el("p", {}, el("a", { href: "/" }, "Back to the search")));
      });
      return {};
    },
  };
}

export const samplePage = entryPage("sample", renderSample);
export const individualPage = entryPage("individual", renderIndividual);
