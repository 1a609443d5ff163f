// How often the searched region carries a matching loss or gain in each 1000 Genomes
// group: individuals with a matching call (carriers lookup) among the individuals
// registered in the dataset (the registry, with the same sex/population filters), as the
// Beacon's variant frequencies count them.

import { getAllPages } from "./api.js";
import { el } from "./dom.js";
import { int, percent } from "./format.js";
import { cohorts, datasets, registeredSamples } from "./reference.js";
import { notice } from "./status.js";
import { GAIN, LOSS, directionsOf } from "./vocabulary.js";

const key = (sample) => `${sample.dataset_id}\u0000${sample.individual_id}`;

function tally(samples) {
  const groups = new Map([["all", new Set()]]);
  for (const sample of samples) {
    for (const code of ["all", sample.superpopulation, sample.population]) {
      if (!code) continue;
      if (!groups.has(code)) groups.set(code, new Set());
      groups.get(code).add(key(sample));
    }
  }
  return groups;
}

function frequencyCell(carriers, size, direction) {
  if (carriers === undefined) return el("td", { class: "muted" }, "not searched");
  const fraction = size ? carriers / size : null;
  const bar = el("span", { class: `freq__bar freq__bar--${direction}` });
  bar.style.width = `${Math.max(fraction ? 2 : 0, Math.round((fraction ?? 0) * 100))}%`;
  return el(
    "td",
    { class: "freq" },
    el("span", { class: "freq__track", "aria-hidden": "true" }, bar),
    el("span", { class: "freq__text" }, `${percent(fraction)} `, el("span", { class: "muted" }, `(${int(carriers)})`)),
  );
}

function groupRows(registry, labels) {
  const superOf = new Map();
  for (const sample of registry) if (sample.population) superOf.set(sample.population, sample.superpopulation);
  const sizes = tally(registry);
  const supers = [...new Set(registry.map((s) => s.superpopulation).filter(Boolean))].sort();
  const rows = [{ code: "all", level: "all", label: "All", size: sizes.get("all").size }];
  for (const code of supers) {
    rows.push({ code, level: "superpopulation", label: labels.get(code) ?? code, size: sizes.get(code)?.size ?? 0 });
    const populations = [...superOf].filter(([, parent]) => parent === code).map(([population]) => population).sort();
    for (const population of populations) {
      rows.push({ code: population, level: "population", label: labels.get(population) ?? population, size: sizes.get(population)?.size ?? 0 });
    }
  }
  return rows;
}

/** A button showing or hiding a frequency table's population rows (hidden at first). */
export function populationToggle(table) {
  table.classList.add("populations-hidden");
  const count = table.querySelectorAll(".freq-row--population").length;
  if (count === 0) return null;
  const toggle = el("button", { type: "button", class: "button button--quiet", "aria-expanded": "false" }, `Show the ${count} populations`);
  toggle.addEventListener("click", () => {
    const hidden = table.classList.toggle("populations-hidden");
    toggle.setAttribute("aria-expanded", String(!hidden));
    toggle.textContent = `${hidden ? "Show" : "Hide"} the ${count} populations`;
  });
  return el("p", {}, toggle);
}

export async function frequencyContent({ state, lookup, signal }) {
  const directions = directionsOf(state.filters.variant_type);
  const typeOf = (direction) => state.filters.variant_type || (direction === "loss" ? LOSS : GAIN);
  const [registry, groups, known, ...found] = await Promise.all([
    registeredSamples(state.filters),
    cohorts(state.filters.datasets ?? "").catch(() => []),
    datasets().catch(() => []),
    ...directions.map((direction) =>
      getAllPages("/api/query/carriers", { ...lookup, variant_type: typeOf(direction) }, "biosamples", { signal, maxItems: 100_000 }),
    ),
  ]);
  const carriers = Object.fromEntries(directions.map((direction, i) => [direction, tally(found[i].items)]));
  if (registry.length === 0) {
    return notice("info", el("p", {}, "No individuals are registered for these datasets (or none pass the filters), so frequencies cannot be computed."));
  }
  const labels = new Map(groups.map((g) => [g.code, g.label]));
  const rows = groupRows(registry, labels);
  const table = el(
    "table",
    { class: "table freq-table" },
    el("caption", { class: "visually-hidden" }, "Carriers of a matching loss or gain per 1000 Genomes group"),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Group"), el("th", { scope: "col", class: "num" }, "Individuals"), el("th", { scope: "col" }, "Loss carriers"), el("th", { scope: "col" }, "Gain carriers"))),
    el(
      "tbody",
      {},
      rows.map((row) =>
        el(
          "tr",
          { class: `freq-row freq-row--${row.level}`, dataset: { group: row.code } },
          el("th", { scope: "row" }, row.level === "all" ? row.label : [el("abbr", { title: row.label }, row.code), " ", el("span", { class: "muted group-label" }, row.label)]),
          el("td", { class: "num" }, int(row.size)),
          frequencyCell(carriers.loss?.get(row.code)?.size ?? (carriers.loss ? 0 : undefined), row.size, "loss"),
          frequencyCell(carriers.gain?.get(row.code)?.size ?? (carriers.gain ? 0 : undefined), row.size, "gain"),
        ),
      ),
    ),
  );
  const selected = state.filters.datasets ? state.filters.datasets.split(",") : known.map((d) => d.id);
  const withCalls = known.filter((d) => selected.includes(d.id)).reduce((sum, d) => sum + (d.info?.counts?.individuals ?? 0), 0);
  const registered = new Set(registry.map(key)).size;
  const caveat =
    withCalls && withCalls < registered && !state.filters.sex && !state.filters.population && !state.filters.superpopulation
      ? notice("warning", el("p", {}, `Only ${int(withCalls)} of the ${int(registered)} registered individuals ${withCalls === 1 ? "has" : "have"} calls loaded so far; the others count as non-carriers.`))
      : null;
  return [
    el("p", { class: "panel__note" }, "Individuals with at least one matching call, of the individuals registered in the dataset", state.filters.sex ? ` (${state.filters.sex} only)` : "", "."),
    caveat,
    el("div", { class: "table-scroll" }, table),
    populationToggle(table),
  ];
}
