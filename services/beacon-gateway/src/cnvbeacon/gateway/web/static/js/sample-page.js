// A sample's page (/samples/{id}) and an individual's page (/individuals/{id}), from the
// Beacon API: who it is (sex, population), and the sample's calls as a genome plot and a
// table (each call a variant record of /api/biosamples/{id}/g_variants).

import { ApiError, apiUrl, getJson } from "./api.js";
import { el, entryPath, replace } from "./dom.js";
import { bp, int, region } from "./format.js";
import { createTable, localSource } from "./data-table.js";
import { drawGenomePlot } from "./genome-plot.js";
import { factList, fill, section } from "./panel.js";
import { chromosomeLength } from "./reference.js";
import { errorBox, loading } from "./status.js";
import { direction } from "./vocabulary.js";

const MAX_CALLS = 20_000;
const PAGE = 1000;
const PARALLEL = 4;
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

/** A Beacon variant record as a call of the sample. */
function callOf(record) {
  const location = record.variation?.subject ?? record.variation?.location ?? {};
  const interval = location.interval ?? {};
  const [assembly, chrom] = String(record.variantInternalId).split(":");
  const level = record.caseLevelData?.[0] ?? {};
  const start = interval.start?.value ?? location.start;
  const end = interval.end?.value ?? location.end;
  const type = record.variantInternalId.split(":").pop();
  return {
    id: record.variantInternalId,
    assembly,
    chrom,
    start,
    end,
    type,
    copyNumber: level.copyNumber ?? null,
    zygosity: level.zygosity?.label ?? "",
    change: level.copyNumberChange?.label ?? "",
    genes: record.molecularAttributes?.geneIds ?? [],
  };
}

function geneLinks(call) {
  if (call.genes.length === 0) return "–";
  const links = call.genes.slice(0, 4).map((g, i) => [i ? ", " : "", el("a", { href: `/?q=${encodeURIComponent(g)}` }, g)]);
  return [links, call.genes.length > 4 ? el("span", { class: "muted" }, ` +${call.genes.length - 4}`) : null];
}

const CALL_COLUMNS = [
  { key: "position", label: "Variant", header: true, sort: (c) => [CHROMOSOME_ORDER.indexOf(c.chrom), c.start], render: (c) => el("a", { href: entryPath("variants", c.id), class: "mono" }, region(c.chrom, c.start, c.end)) },
  { key: "type", label: "Type", sort: (c) => c.change, render: (c) => [el("span", { class: `type type--${direction(c.type)}` }, direction(c.type) === "loss" ? "Loss" : "Gain"), el("span", { class: "muted type-detail" }, ` ${c.change}`)] },
  { key: "size", label: "Size", numeric: true, sort: (c) => c.end - c.start, render: (c) => bp(c.end - c.start) },
  { key: "cn", label: "Copy number", numeric: true, sort: (c) => c.copyNumber, render: (c) => c.copyNumber ?? "–" },
  { key: "zygosity", label: "Zygosity", sort: (c) => c.zygosity, render: (c) => c.zygosity || "–" },
  { key: "genes", label: "Genes", sort: (c) => c.genes.length, render: geneLinks },
];

function personFacts(individual) {
  const ancestry = individual.info?.ancestry ?? {};
  const term = (value) => (value?.id ? `${value.label} (${String(value.id).split(":").pop()})` : "–");
  return [
    ["Sex", individual.sex?.label ?? "–"],
    ["Population", term(ancestry.population ?? individual.ethnicity)],
    ["Superpopulation", term(ancestry.superpopulation)],
    ["Dataset", individual.dataset],
  ];
}

/** The sample's calls as Beacon variant records: the largest page first (most samples
 * have fewer calls: one request), any further pages a few at once, reporting progress.
 * Beacon's skip counts pages, not records. */
async function sampleCalls(sampleId, signal, onProgress) {
  const path = `/api/biosamples/${encodeURIComponent(sampleId)}/g_variants`;
  const page = async (skip) => {
    const body = await getJson(apiUrl(path, { requestedGranularity: "record", skip, limit: PAGE }), { signal });
    const sets = body.response?.resultSets ?? [];
    return { total: body.responseSummary?.numTotalResults ?? 0, results: sets.flatMap((set) => set.results) };
  };
  const first = await page(0);
  const total = Math.min(first.total, MAX_CALLS);
  const records = [...first.results];
  onProgress(records.length, total);
  const skips = [];
  for (let skip = 1; skip * PAGE < total; skip += 1) skips.push(skip);
  for (let i = 0; i < skips.length; i += PARALLEL) {
    const pages = await Promise.all(skips.slice(i, i + PARALLEL).map(page));
    for (const found of pages) records.push(...found.results);
    onProgress(records.length, total);
  }
  return records.map(callOf);
}

async function callsSection(sampleId, signal, body) {
  const calls = await sampleCalls(sampleId, signal, (read, total) => {
    const status = body.querySelector(".loading");
    if (status) status.lastChild.textContent = `Reading the sample's calls: ${int(read)} of ${int(total)}…`;
  });
  const chromosomes = [...new Set(calls.map((c) => c.chrom))].sort((a, b) => CHROMOSOME_ORDER.indexOf(a) - CHROMOSOME_ORDER.indexOf(b));
  const assembly = calls[0]?.assembly ?? "GRCh38";
  const lengths = new Map(await Promise.all(chromosomes.map(async (c) => [c, await chromosomeLength(c, assembly).catch(() => Math.max(...calls.filter((x) => x.chrom === c).map((x) => x.end)))])));
  const losses = calls.filter((c) => direction(c.type) === "loss");
  const gains = calls.filter((c) => direction(c.type) === "gain");
  const holder = el("div", { class: "plot-holder" });
  const draw = () => {
    const plotCalls = calls.map((c) => ({ ...c, href: entryPath("variants", c.id), label: `${region(c.chrom, c.start, c.end)} ${c.change} (${bp(c.end - c.start)})` }));
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
    el(
      "p",
      { class: "actions" },
      el("a", { class: "button button--small button--quiet", href: apiUrl(`/api/biosamples/${encodeURIComponent(sampleId)}/g_variants`, { requestedGranularity: "record", limit: 1000 }) }, "These calls as Beacon records (JSON)"),
    ),
  ];
}

async function renderSample(holder, sampleId, signal) {
  const [samples, people] = await Promise.all([beaconRecord(`/api/biosamples/${encodeURIComponent(sampleId)}`, signal), beaconRecord(`/api/biosamples/${encodeURIComponent(sampleId)}/individuals`, signal)]);
  if (samples.length === 0) throw new ApiError(404, `There is no sample ${sampleId} in the data.`);
  const sample = samples[0];
  const person = people[0];
  const calls = section("sample-calls", "Calls");
  replace(
    holder,
    el("h1", {}, `Sample ${sampleId}`),
    factList([
      ["Individual", el("a", { href: entryPath("individuals", sample.individualId) }, sample.individualId)],
      ...(person ? personFacts(person) : [["Dataset", sample.dataset]]),
      ["Sample", [sample.sampleOriginType?.label, sample.biosampleStatus?.label].filter(Boolean).join(", ") || "–"],
    ]),
    calls.node,
  );
  document.title = `Sample ${sampleId} · cnvbeacon`;
  await fill(calls.body, (s) => callsSection(sampleId, s, calls.body), { signal, message: "Reading the sample's calls…" });
}

async function renderIndividual(holder, individualId, signal) {
  const [people, samples] = await Promise.all([beaconRecord(`/api/individuals/${encodeURIComponent(individualId)}`, signal), beaconRecord(`/api/individuals/${encodeURIComponent(individualId)}/biosamples`, signal)]);
  if (people.length === 0) throw new ApiError(404, `There is no individual ${individualId} in the data.`);
  replace(
    holder,
    el("h1", {}, `Individual ${individualId}`),
    factList(personFacts(people[0])),
    el("h2", {}, "Samples"),
    samples.length
      ? el("ul", { class: "plain-list" }, samples.map((s) => el("li", {}, el("a", { href: entryPath("samples", s.id) }, s.id), el("span", { class: "muted" }, ` ${s.sampleOriginType?.label ?? ""}`))))
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
