// How often the searched region carries a matching loss or gain in each 1000 Genomes
// group of each dataset: individuals with a matching call (GET /api/query/carrier_groups)
// among the individuals with data in that dataset (GET /api/query/populations), the
// definition every frequency of this beacon uses (shared/frequencies.py).

import { apiUrl, getJson } from "./api.js";
import { el } from "./dom.js";
import { int, percent } from "./format.js";
import { cohorts, datasets, populations } from "./reference.js";
import { notice } from "./status.js";
import { GAIN, LOSS, directionsOf } from "./vocabulary.js";

/** dataset id -> group code -> how many individuals carry a matching call. */
function tally(answer) {
  return new Map(answer.datasets.map((d) => [d.dataset_id, new Map(d.groups.map((g) => [g.code, g.carriers]))]));
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

/** The denominator of a group under the search's sex filter: its individuals with data. */
function sizeOf(group, sex) {
  if (sex === "female") return group.female;
  if (sex === "male") return group.male;
  return group.individuals;
}

/** Rows of one dataset's groups with data: all, then each superpopulation and its populations. */
function groupRows(groups, filters, labels) {
  const wanted = [filters.population, filters.superpopulation].filter(Boolean).join(",").split(",").filter(Boolean);
  const shown = groups.filter((g) => sizeOf(g, filters.sex) > 0 && (!wanted.length || wanted.includes(g.code)));
  const rows = [];
  const all = shown.find((g) => g.level === "all");
  if (all && !wanted.length) rows.push({ ...all, label: "All" });
  for (const group of shown.filter((g) => g.level === "superpopulation")) {
    rows.push({ ...group, label: labels.get(group.code) ?? group.code });
    for (const population of shown.filter((g) => g.level === "population" && g.superpopulation === group.code)) {
      rows.push({ ...population, label: labels.get(population.code) ?? population.code });
    }
  }
  const placed = new Set(rows.map((r) => r.code));
  for (const population of shown.filter((g) => g.level === "population" && !placed.has(g.code))) {
    rows.push({ ...population, label: labels.get(population.code) ?? population.code });
  }
  return rows;
}

function datasetTable(dataset, rows, carriers, sex) {
  const count = (direction, code) => (carriers[direction] ? carriers[direction].get(dataset.id)?.get(code) ?? 0 : undefined);
  return el(
    "table",
    { class: "table freq-table", dataset: { dataset: dataset.id } },
    el("caption", { class: "visually-hidden" }, `Carriers of a matching loss or gain per 1000 Genomes group in ${dataset.name ?? dataset.id}`),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Group"), el("th", { scope: "col", class: "num" }, "Individuals with data"), el("th", { scope: "col" }, "Loss carriers"), el("th", { scope: "col" }, "Gain carriers"))),
    el(
      "tbody",
      {},
      rows.map((row) =>
        el(
          "tr",
          { class: `freq-row freq-row--${row.level}`, dataset: { group: row.code } },
          el("th", { scope: "row" }, row.level === "all" ? row.label : [el("abbr", { title: row.label }, row.code), " ", el("span", { class: "muted group-label" }, row.label)]),
          el("td", { class: "num" }, int(sizeOf(row, sex))),
          frequencyCell(count("loss", row.code), sizeOf(row, sex), "loss"),
          frequencyCell(count("gain", row.code), sizeOf(row, sex), "gain"),
        ),
      ),
    ),
  );
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
  const [sized, groups, known, ...found] = await Promise.all([
    populations(state.filters.datasets ?? ""),
    cohorts(state.filters.datasets ?? "").catch(() => []),
    datasets().catch(() => []),
    ...directions.map((direction) => getJson(apiUrl("/api/query/carrier_groups", { ...lookup, variant_type: typeOf(direction) }), { signal })),
  ]);
  const carriers = Object.fromEntries(directions.map((direction, i) => [direction, tally(found[i])]));
  const labels = new Map(groups.map((g) => [g.code, g.label]));
  const names = new Map(known.map((d) => [d.id, d]));
  const parts = [];
  for (const { dataset_id: id, groups: sizes } of sized) {
    const all = sizes.find((g) => g.level === "all");
    if (!all || all.individuals === 0) continue;
    const rows = groupRows(sizes, state.filters, labels);
    if (!rows.length) continue;
    const dataset = names.get(id) ?? { id };
    const table = datasetTable(dataset, rows, carriers, state.filters.sex);
    const without = all.registered - all.individuals;
    parts.push(
      sized.length > 1 ? el("h3", { class: "panel__subhead" }, dataset.name ?? id) : null,
      dataset.info?.synthetic ? notice("warning", el("p", {}, "Synthetic data, for testing: not real people.")) : null,
      without > 0
        ? notice("info", el("p", {}, `${int(all.individuals)} of the ${int(all.registered)} registered individuals ${all.individuals === 1 ? "has" : "have"} data in this dataset; frequencies count only those.`))
        : null,
      el("div", { class: "table-scroll" }, table),
      populationToggle(table),
    );
  }
  if (!parts.length) {
    return notice("info", el("p", {}, "No individual of these datasets has data (or none passes the filters), so frequencies cannot be computed."));
  }
  return [
    el("p", { class: "panel__note" }, "Individuals with at least one matching call, of the individuals with data in the dataset", state.filters.sex ? ` (${state.filters.sex} only)` : "", "."),
    ...parts,
  ];
}
