// The analyses page (/analyses): a dataset and a subset of its samples, the state of its
// analysis (waiting while it is computed), and one view at a time; everything chosen is
// in the URL (dataset, view, subset and the view's own parameters).

import { ApiError, apiUrl, getJson, isAbort } from "./api.js";
import { el, replace } from "./dom.js";
import { dateTime, plural } from "./format.js";
import { frequencyView, populationsView, regionsView, summaryView, vstView } from "./analyses-views.js";
import { fill } from "./panel.js";
import { cohorts, datasets } from "./reference.js";
import { errorBox, loading, notice } from "./status.js";

const VIEWS = [
  ["summary", "Genome summary", summaryView],
  ["frequency", "Frequency maps", frequencyView],
  ["populations", "Population comparison", populationsView],
  ["cnvrs", "CNV regions", regionsView],
  ["vst", "V_ST outliers", vstView],
];
const SUBSET = ["superpopulation", "population", "sex", "pass_only"];
const FEW_SAMPLES = 20;
const VIEW_PARAMS = ["chrom", "group", "class", "min_samples", "gene", "by"];
const POLL_MS = 3000;

function subsetOf(params) {
  return Object.fromEntries(SUBSET.map((name) => [name, params.get(name) ?? ""]).filter(([, value]) => value));
}

function dataForm(params, known, dataset, groups, apply) {
  const choice = (id, label, options, value) => {
    const control = el("select", { id, name: id }, options.map(([v, text]) => el("option", { value: v }, text)));
    control.value = value ?? "";
    return el("div", { class: "field" }, el("label", { for: id }, label), control);
  };
  const codes = (level) => groups.filter((g) => g.level === level).map((g) => [g.code, `${g.code} – ${g.label}`]);
  const pass = el("input", { id: "pass_only", type: "checkbox", checked: params.get("pass_only") === "true" });
  const form = el(
    "form",
    { class: "analysis-controls", "aria-label": "Which data to analyse" },
    choice("analysis-dataset", "Dataset", known.map((d) => [d.id, d.name === d.id ? d.id : `${d.name} (${d.id})`]), dataset),
    choice("superpopulation", "Superpopulation", [["", "All"], ...codes("superpopulation")], params.get("superpopulation")),
    choice("population", "Population", [["", "All"], ...codes("population")], params.get("population")),
    choice("sex", "Sex", [["", "Both"], ["female", "Female"], ["male", "Male"]], params.get("sex")),
    el("div", { class: "field field--check" }, pass, el("label", { for: "pass_only" }, "PASS calls only")),
    el("button", { type: "submit", class: "button" }, "Analyse these samples"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const read = (id) => form.querySelector(`#${id}`).value;
    apply({ dataset: read("analysis-dataset"), superpopulation: read("superpopulation"), population: read("population"), sex: read("sex"), pass_only: pass.checked ? "true" : "" });
  });
  return form;
}

function tabs(current, select) {
  const buttons = VIEWS.map(([id, label]) =>
    el("button", { type: "button", role: "tab", id: `tab-${id}`, "aria-selected": String(id === current), "aria-controls": "analysis-view", tabindex: id === current ? "0" : "-1", onclick: () => select(id) }, label),
  );
  const list = el("div", { class: "tabs", role: "tablist", "aria-label": "Analyses" }, buttons);
  list.addEventListener("keydown", (event) => {
    const index = buttons.indexOf(document.activeElement);
    if (index < 0 || !["ArrowLeft", "ArrowRight", "Home", "End"].includes(event.key)) return;
    event.preventDefault();
    const next = event.key === "Home" ? 0 : event.key === "End" ? buttons.length - 1 : (index + (event.key === "ArrowRight" ? 1 : -1) + buttons.length) % buttons.length;
    buttons[next].focus();
    select(VIEWS[next][0]);
  });
  return list;
}

function describe(analysis) {
  const subset = analysis.subset ?? {};
  const parts = [...(subset.superpopulation ?? []), ...(subset.population ?? []), subset.sex, subset.pass_only ? "PASS calls" : null].filter(Boolean);
  const scope = parts.length ? parts.join(", ") : "all samples";
  const stale = analysis.stale ? " It is being brought up to date with newer data." : "";
  return `${scope}: ${plural(analysis.samples, "sample")}, ${plural(analysis.calls, "call")}; computed ${dateTime(analysis.computed_at)} from data version ${analysis.computed_from_version}.${stale}`;
}

/** Wait until the dataset's analysis exists (it is computed after each ingest). */
async function waitForAnalysis(base, holder, signal) {
  for (;;) {
    let status;
    try {
      status = await getJson(base, { signal });
    } catch (error) {
      if (isAbort(error) || !(error instanceof ApiError) || error.status !== 404) throw error;
      throw new ApiError(404, "This dataset is not known to the analyses.");
    }
    if (status.computed_from_version !== null && status.computed_from_version !== undefined) return status;
    if (status.state === "failed") throw new ApiError(500, `The analysis failed: ${status.error ?? "no reason given"}.`);
    replace(holder, loading(status.state === "none" ? "No analysis of this dataset yet: it starts after data is loaded. Waiting…" : `The analysis is being computed (${status.state})…`));
    await new Promise((resolve, reject) => {
      const timer = window.setTimeout(resolve, POLL_MS);
      signal.addEventListener("abort", () => {
        window.clearTimeout(timer);
        reject(new DOMException("aborted", "AbortError"));
      });
    });
  }
}

async function draw(outlet, context, focusedId) {
  const { params, signal, navigate } = context;
  const known = await datasets();
  if (known.length === 0) {
    replace(outlet, el("h1", {}, "Population analyses"), notice("info", el("p", {}, "No data is loaded yet.")));
    return;
  }
  const samplesOf = (d) => d?.info?.counts?.biosamples ?? 0;
  // The largest dataset unless one is asked for: population analyses need many samples.
  const largest = known.reduce((best, d) => (samplesOf(d) > samplesOf(best) ? d : best), known[0]);
  const dataset = known.some((d) => d.id === params.get("dataset")) ? params.get("dataset") : largest.id;
  const samples = samplesOf(known.find((d) => d.id === dataset));
  const view = VIEWS.some(([id]) => id === params.get("view")) ? params.get("view") : "summary";
  const groups = await cohorts(dataset).catch(() => []);
  const go = (changes, keepView = true) => {
    const next = new URLSearchParams(params);
    for (const [name, value] of Object.entries(changes)) {
      if (value) next.set(name, value);
      else next.delete(name);
    }
    if (!keepView) for (const name of VIEW_PARAMS) next.delete(name);
    navigate(`/analyses?${next}`, { keepScroll: true });
  };
  const state = el("p", { class: "analysis-state", role: "status" });
  const body = el("div", { id: "analysis-view", role: "tabpanel", "aria-labelledby": `tab-${view}`, class: "analysis-view" });
  replace(
    outlet,
    el("h1", {}, "Population analyses"),
    el("p", { class: "lead" }, "Genome-wide frequency maps, copy-number variable regions (CNVRs), differences between populations (V_ST) and the genome summary, in the terms of Redon et al. (2006). Plots download as SVG, tables as TSV."),
    dataForm(params, known, dataset, groups.filter((g) => g.size > 0), (choice) => go(choice, choice.dataset === dataset)),
    samples < FEW_SAMPLES
      ? notice("warning", el("p", { class: "few-samples" }, `This dataset has ${samples === 1 ? "1 sample" : `${samples} samples`} with calls: frequencies, CNV regions and V_ST describe populations only with many samples per group.`))
      : null,
    state,
    tabs(view, (id) => go({ view: id === "summary" ? "" : id }, false)),
    body,
  );
  if (focusedId) document.getElementById(focusedId)?.focus();
  const base = `/api/query/analyses/${encodeURIComponent(dataset)}`;
  const subset = subsetOf(params);
  await waitForAnalysis(base, body, signal);
  const setParam = (name, value) => go(typeof name === "object" ? name : { [name]: value });
  const views = Object.fromEntries(VIEWS.map(([id, , render]) => [id, render]));
  const labels = Object.fromEntries(VIEWS.map(([id, label]) => [id, label]));
  await Promise.all([
    getJson(apiUrl(`${base}/summary`, subset), { signal })
      .then((summary) => {
        state.textContent = describe(summary.analysis);
      })
      .catch(() => {}),
    fill(body, () => views[view]({ base, subset, params, setParam, signal }), { signal, message: `Computing the ${labels[view].toLowerCase()}…` }),
  ]);
}

export const analysesPage = {
  title: "Analyses",
  section: "analyses",
  mount(outlet, context) {
    const holder = el("div", { class: "analyses" }, loading("Reading the datasets…"));
    outlet.append(holder);
    const render = (current) => {
      draw(holder, current, document.activeElement?.id).catch((error) => {
        if (current.signal.aborted || isAbort(error)) return;
        replace(holder, el("h1", {}, "Population analyses"), errorBox(error));
      });
    };
    document.title = "Analyses · cnvbeacon";
    render(context);
    return { update: render };
  },
};
