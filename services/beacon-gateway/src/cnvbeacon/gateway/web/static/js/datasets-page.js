// The datasets page (/datasets): each dataset's description, size, assembly and version,
// and the state of its analyses, with links to search and analyse it.

import { apiUrl, getJson } from "./api.js";
import { el, replace } from "./dom.js";
import { dateTime, int } from "./format.js";
import { factList } from "./panel.js";
import { errorBox, loading, notice } from "./status.js";

function analysisState(status) {
  if (!status) return "unknown";
  if (status.state === "ready") return status.stale ? "ready (being updated with newer data)" : "ready";
  if (status.state === "none") return "not computed yet";
  return status.state;
}

function card(dataset, status) {
  const info = dataset.info ?? {};
  const counts = info.counts ?? {};
  return el(
    "article",
    { class: "dataset", dataset: { dataset: dataset.id } },
    el("h2", {}, dataset.name ?? dataset.id, dataset.name && dataset.name !== dataset.id ? el("span", { class: "muted" }, ` (${dataset.id})`) : null),
    dataset.description ? el("p", {}, dataset.description) : null,
    info.synthetic ? notice("warning", el("p", {}, "Synthetic data, for testing: not real people.")) : null,
    el(
      "dl",
      { class: "counts counts--small" },
      [
        ["calls", "Calls", counts.calls],
        ["variants", "Distinct variants", counts.variants],
        ["biosamples", "Samples with calls", counts.biosamples],
        ["registered", "Registered individuals", info.registeredIndividuals],
      ].map(([key, label, value]) =>
        el("div", { class: "count", dataset: { count: key } }, el("dt", {}, label), el("dd", {}, value === null || value === undefined ? el("span", { class: "count__hint", title: "this beacon does not search calls on the dataset's assembly" }, "not counted") : el("span", { class: "count__value" }, int(value)))),
      ),
    ),
    factList([
      ["Assembly", info.assembly ?? "–"],
      ["Data version", String(info.dataVersion ?? "–")],
      ["Loaded", dateTime(dataset.createDateTime)],
      ["Updated", dateTime(dataset.updateDateTime)],
      ["Access", info.granularity === "record" ? "records" : `${info.granularity ?? "?"} only`],
      ["Analyses", analysisState(status)],
    ]),
    el(
      "p",
      { class: "actions" },
      el("a", { class: "button button--small", href: `/?${new URLSearchParams({ datasets: dataset.id })}` }, "Search it"),
      el("a", { class: "button button--small", href: `/analyses?${new URLSearchParams({ dataset: dataset.id })}` }, "Analyses"),
      el("a", { class: "button button--small button--quiet", href: `/api/datasets/${encodeURIComponent(dataset.id)}?requestedGranularity=record` }, "Beacon record (JSON)"),
    ),
  );
}

async function draw(holder, signal) {
  const [body, analyses] = await Promise.all([
    getJson(apiUrl("/api/datasets", { requestedGranularity: "record", limit: 1000 }), { signal }),
    getJson("/api/query/analyses", { signal }).catch(() => ({ datasets: [] })),
  ]);
  const found = body.response?.collections ?? [];
  const states = new Map((analyses.datasets ?? []).map((d) => [d.dataset_id, d]));
  replace(
    holder,
    el("h1", {}, "Datasets"),
    el("p", { class: "lead" }, "What is loaded. Counts are of calls, of distinct variants (same type, start and end) and of samples with at least one call."),
    found.length ? el("div", { class: "dataset-list" }, found.map((d) => card(d, states.get(d.id)))) : notice("info", el("p", {}, "No data is loaded yet. An administrator can add some on the ", el("a", { href: "/upload" }, "upload page"), ".")),
  );
}

export const datasetsPage = {
  title: "Datasets",
  section: "datasets",
  mount(outlet, context) {
    const holder = el("div", { class: "datasets" }, loading("Reading the datasets…"));
    outlet.append(holder);
    document.title = "Datasets · cnvbeacon";
    draw(holder, context.signal).catch((error) => {
      if (!context.signal.aborted) replace(holder, el("h1", {}, "Datasets"), errorBox(error));
    });
    return {};
  },
};
