// Gene symbols suggested while typing in a search box (the ARIA combobox pattern):
// arrow keys move, Enter picks, Escape closes; /api/genes/suggest answers.

import { apiUrl, getJson, isAbort } from "./api.js";
import { el, replace } from "./dom.js";
import { region } from "./format.js";

const GENE_PREFIX = /^[A-Za-z][A-Za-z0-9_.-]{0,39}$/;
const DELAY_MS = 120;
let instances = 0;

export function attachGeneSuggestions(input, { assembly, onChoose }) {
  instances += 1;
  const listId = `gene-suggestions-${instances}`;
  const list = el("ul", { id: listId, class: "suggestions", role: "listbox", "aria-label": "Gene suggestions", hidden: true });
  input.after(list);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", listId);
  input.setAttribute("aria-expanded", "false");
  let options = [];
  let active = -1;
  let timer = 0;
  let controller = null;

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    active = index;
    options.forEach((option, i) => option.setAttribute("aria-selected", String(i === index)));
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function choose(symbol) {
    input.value = symbol;
    close();
    onChoose(symbol);
  }

  function show(genes) {
    options = genes.map((gene, index) =>
      el(
        "li",
        { id: `${listId}-${index}`, role: "option", "aria-selected": "false", dataset: { symbol: gene.symbol } },
        el("span", { class: "suggestions__symbol" }, gene.symbol),
        el("span", { class: "suggestions__locus" }, region(gene.chrom, gene.start, gene.end)),
      ),
    );
    replace(list, options);
    active = -1;
    if (options.length === 0) return close();
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  async function lookUp() {
    const prefix = input.value.trim();
    controller?.abort();
    if (!GENE_PREFIX.test(prefix) || prefix.length < 2) return close();
    controller = new AbortController();
    try {
      const body = await getJson(apiUrl("/api/genes/suggest", { prefix, assembly: assembly(), limit: 8 }), { signal: controller.signal });
      if (input.value.trim() === prefix && document.activeElement === input) show(body.genes);
    } catch (error) {
      if (!isAbort(error)) close();
    }
  }

  input.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(lookUp, DELAY_MS);
  });
  input.addEventListener("keydown", (event) => {
    if (list.hidden) return;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      highlight((active + 1) % options.length);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      highlight(active <= 0 ? options.length - 1 : active - 1);
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      choose(options[active].dataset.symbol);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });
  input.addEventListener("blur", () => window.setTimeout(close, 150));
  list.addEventListener("mousedown", (event) => event.preventDefault());
  list.addEventListener("click", (event) => {
    const option = event.target.closest("[role=option]");
    if (option) choose(option.dataset.symbol);
  });
  return { close };
}
