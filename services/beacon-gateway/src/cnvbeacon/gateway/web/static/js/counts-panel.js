// Counts of a search's result: calls, distinct variants, samples, individuals.

import { apiUrl, getJson } from "./api.js";
import { el } from "./dom.js";
import { int } from "./format.js";

const CARDS = [
  ["calls", "Calls", "one per sample and call"],
  ["variants", "Distinct variants", "same type, start and end"],
  ["biosamples", "Samples", "with a matching call"],
  ["individuals", "Individuals", "carrying a matching call"],
];

export async function countsContent(lookup, signal) {
  const body = await getJson(apiUrl("/api/query/counts", lookup), { signal });
  return el(
    "dl",
    { class: "counts" },
    CARDS.map(([key, label, hint]) =>
      el("div", { class: "count", dataset: { count: key } }, el("dt", {}, label), el("dd", {}, el("span", { class: "count__value" }, int(body.counts[key])), el("span", { class: "count__hint" }, hint))),
    ),
  );
}
