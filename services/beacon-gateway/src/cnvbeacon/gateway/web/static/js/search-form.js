// The search form: one box (region, gene, cytoband or variant id) with gene suggestions,
// and the options, each a labelled control. It reads and writes a search state.

import { el } from "./dom.js";
import { int, parseLength } from "./format.js";
import { attachGeneSuggestions } from "./gene-suggest.js";
import { cohorts, datasets } from "./reference.js";
import { BRACKET, MATCHES } from "./search-state.js";
import { VARIANT_TYPES } from "./vocabulary.js";

const EXAMPLES = ["BTNL8", "chr5:180,000,000-181,500,000", "17q21.31", "KANSL1", "1q21.1"];
const ASSEMBLIES = [["", "GRCh38 (hg38)"], ["GRCh37", "GRCh37 (hg19)"]];
const SEXES = [["", "Any"], ["female", "Female"], ["male", "Male"]];

class FormProblem extends Error {
  constructor(control, message) {
    super(message);
    this.control = control;
  }
}

function field(id, label, control, hint) {
  const hintId = hint ? `${id}-hint` : null;
  if (hintId) control.setAttribute("aria-describedby", hintId);
  return el("div", { class: "field" }, el("label", { for: id }, label), control, hint ? el("p", { class: "field__hint", id: hintId }, hint) : null);
}

function select(id, name, choices) {
  return el("select", { id, name }, choices.map(([value, label]) => el("option", { value }, label)));
}

function setChoices(control, choices) {
  const current = control.value;
  control.replaceChildren(...choices.map(([value, label]) => el("option", { value }, label)));
  if (!choices.some(([value]) => value === current)) control.append(el("option", { value: current }, current));
  control.value = current;
}

export function createSearchForm({ onSearch }) {
  const box = el("input", {
    id: "q", name: "q", type: "search", class: "search__box", autocomplete: "off", spellcheck: "false",
    placeholder: "Gene, region, cytoband or variant, e.g. BTNL8", "aria-describedby": "q-hint",
  });
  const controls = {
    variant_type: select("opt-type", "variant_type", VARIANT_TYPES.map((t) => [t.id, t.label])),
    match: select("opt-match", "match", Object.entries(MATCHES).map(([value, label]) => [value, `Variants ${label}`])),
    min_length: el("input", { id: "opt-min-length", name: "min_length", inputmode: "decimal", placeholder: "e.g. 1 kb" }),
    max_length: el("input", { id: "opt-max-length", name: "max_length", inputmode: "decimal", placeholder: "e.g. 5 Mb" }),
    min_copy_number: el("input", { id: "opt-min-cn", name: "min_copy_number", type: "number", min: "0", step: "1", inputmode: "numeric" }),
    max_copy_number: el("input", { id: "opt-max-cn", name: "max_copy_number", type: "number", min: "0", step: "1", inputmode: "numeric" }),
    pass_only: el("input", { id: "opt-pass", name: "pass_only", type: "checkbox", value: "true" }),
    superpopulation: select("opt-superpopulation", "superpopulation", [["", "Any"]]),
    population: select("opt-population", "population", [["", "Any"]]),
    sex: select("opt-sex", "sex", SEXES),
    assembly: select("opt-assembly", "assembly", ASSEMBLIES),
    datasets: select("opt-datasets", "datasets", [["", "All datasets"]]),
  };
  // Parts of a linked search the form has no control for, kept until the options are cleared.
  const hidden = { biosample_id: "", bracket: null };
  const problem = el("p", { class: "field__error", id: "options-problem", role: "alert", hidden: true });
  const activeCount = el("span", { class: "badge", hidden: true });
  const options = el(
    "details",
    { class: "options" },
    el("summary", {}, "Options ", activeCount),
    el(
      "div",
      { class: "options__grid" },
      el(
        "fieldset",
        {},
        el("legend", {}, "Variants"),
        field("opt-type", "Copy-number change", controls.variant_type),
        field("opt-match", "Which variants", controls.match),
        el(
          "div",
          { class: "field-pair" },
          field("opt-min-length", "Min. size", controls.min_length),
          field("opt-max-length", "Max. size", controls.max_length),
        ),
        el(
          "div",
          { class: "field-pair" },
          field("opt-min-cn", "Min. copy number", controls.min_copy_number),
          field("opt-max-cn", "Max. copy number", controls.max_copy_number),
        ),
        el("div", { class: "field field--check" }, controls.pass_only, el("label", { for: "opt-pass" }, "PASS calls only (the caller's quality filters)")),
      ),
      el(
        "fieldset",
        {},
        el("legend", {}, "People"),
        field("opt-superpopulation", "Superpopulation", controls.superpopulation),
        field("opt-population", "Population", controls.population),
        field("opt-sex", "Sex", controls.sex),
      ),
      el(
        "fieldset",
        {},
        el("legend", {}, "Data"),
        field("opt-assembly", "Assembly", controls.assembly, "Coordinates are read on this genome build."),
        field("opt-datasets", "Dataset", controls.datasets),
        el("button", { type: "button", class: "button button--quiet", onclick: () => reset() }, "Clear options"),
      ),
    ),
    problem,
  );
  const form = el(
    "form",
    { class: "search", role: "search", "aria-label": "Search copy-number variants", novalidate: true },
    el("label", { for: "q", class: "search__label" }, "Search germline copy-number variants"),
    el("div", { class: "search__row" }, el("div", { class: "search__field" }, box), el("button", { type: "submit", class: "button button--primary" }, "Search")),
    el(
      "p",
      { class: "search__hint", id: "q-hint" },
      "A gene symbol, a region such as chr1:1,000,000-2,000,000, a cytoband such as 1q21.1, or a variant id. Try ",
      EXAMPLES.map((example, index) => [
        index ? ", " : "",
        el("a", { href: `/?q=${encodeURIComponent(example)}`, class: "example" }, example),
      ]),
      ".",
    ),
    options,
  );

  attachGeneSuggestions(box, { assembly: () => controls.assembly.value || "GRCh38", onChoose: () => form.requestSubmit() });

  function showProblem(control, message) {
    problem.textContent = message;
    problem.hidden = false;
    options.open = true;
    control.setAttribute("aria-invalid", "true");
    control.focus();
  }

  function readLength(name) {
    const text = controls[name].value.trim();
    if (!text) return "";
    const value = parseLength(text);
    if (!Number.isFinite(value) || value < 1) throw new FormProblem(controls[name], `“${text}” is not a size: write e.g. 5000, 5 kb or 1.5 Mb.`);
    return String(value);
  }

  function read() {
    for (const control of Object.values(controls)) control.removeAttribute("aria-invalid");
    problem.hidden = true;
    const filters = {
      variant_type: controls.variant_type.value,
      min_length: readLength("min_length"),
      max_length: readLength("max_length"),
      min_copy_number: controls.min_copy_number.value.trim(),
      max_copy_number: controls.max_copy_number.value.trim(),
      pass_only: controls.pass_only.checked ? "true" : "",
      superpopulation: controls.superpopulation.value,
      population: controls.population.value,
      sex: controls.sex.value,
      datasets: controls.datasets.value,
    };
    if (filters.min_length && filters.max_length && Number(filters.min_length) > Number(filters.max_length)) {
      throw new FormProblem(controls.min_length, "The minimum size is larger than the maximum size.");
    }
    if (hidden.biosample_id) filters.biosample_id = hidden.biosample_id;
    for (const name of Object.keys(filters)) if (!filters[name]) delete filters[name];
    const state = { q: box.value.trim(), match: controls.match.value, assembly: controls.assembly.value, filters };
    if (state.match === "bracket") state.bracket = hidden.bracket;
    return state;
  }

  function countActive(state) {
    const count = Object.keys(state.filters).length + (state.match !== "overlap") + Boolean(state.assembly);
    activeCount.textContent = `${count} set`;
    activeCount.hidden = count === 0;
  }

  function write(state) {
    box.value = state.q;
    hidden.biosample_id = state.filters.biosample_id ?? "";
    hidden.bracket = state.bracket ?? null;
    const bracketOption = controls.match.querySelector("option[value=bracket]");
    if (state.match === "bracket" && !bracketOption) controls.match.append(el("option", { value: "bracket" }, `Variants ${BRACKET}`));
    if (state.match !== "bracket") bracketOption?.remove();
    controls.match.value = state.match;
    controls.assembly.value = state.assembly;
    for (const name of ["variant_type", "superpopulation", "population", "sex", "datasets"]) {
      const value = state.filters[name] ?? "";
      if (value && ![...controls[name].options].some((o) => o.value === value)) controls[name].append(el("option", { value }, value));
      controls[name].value = value;
    }
    for (const name of ["min_length", "max_length"]) controls[name].value = state.filters[name] ? int(Number(state.filters[name])) : "";
    for (const name of ["min_copy_number", "max_copy_number"]) controls[name].value = state.filters[name] ?? "";
    controls.pass_only.checked = Boolean(state.filters.pass_only);
    countActive(state);
  }

  function reset() {
    write({ q: box.value, match: "overlap", assembly: "", filters: {} });
    box.focus();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    try {
      const state = read();
      countActive(state);
      onSearch(state);
    } catch (failure) {
      if (!(failure instanceof FormProblem)) throw failure;
      showProblem(failure.control, failure.message);
    }
  });

  cohorts()
    .then((groups) => {
      const choices = (level) => groups.filter((g) => g.level === level).map((g) => [g.code, `${g.code} – ${g.label}`]);
      setChoices(controls.superpopulation, [["", "Any"], ...choices("superpopulation")]);
      setChoices(controls.population, [["", "Any"], ...choices("population")]);
    })
    .catch(() => {});
  datasets()
    .then((found) => setChoices(controls.datasets, [["", "All datasets"], ...found.map((d) => [d.id, d.name === d.id ? d.id : `${d.name} (${d.id})`])]))
    .catch(() => {});

  return { element: form, write, focus: () => box.focus() };
}
