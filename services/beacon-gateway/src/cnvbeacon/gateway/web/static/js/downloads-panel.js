// Downloads of a search's result (calls, distinct variants or variant regions, each format
// streamed by the export API) and the requests that reproduce it: the Beacon v2 GET and POST, and the
// lookup API, which applies every option of the page.

import { apiUrl } from "./api.js";
import { el } from "./dom.js";
import { beaconRequest } from "./beacon-request.js";
import { regionDownloads } from "./variant-regions-panel.js";

export const FORMATS = [
  ["tsv", "TSV", "tab-separated table"],
  ["bed", "BED", "for genome browsers"],
  ["vcf", "VCF", "VCF 4.2 with carriers' genotypes and allele frequencies"],
  ["jsonl", "JSON", "JSON lines, one record a line"],
  ["pgxseg", "pgxseg", "Progenetix segments"],
];

export function downloadLinks(grouping, lookup, label) {
  return el(
    "ul",
    { class: "downloads", "aria-label": label },
    FORMATS.map(([format, name, hint]) =>
      el("li", {}, el("a", { href: apiUrl(`/api/exports/${grouping}`, { ...lookup, format }), download: "", class: "button button--small", title: hint, dataset: { format, grouping } }, name)),
    ),
  );
}

function copyButton(getText, what) {
  const button = el("button", { type: "button", class: "button button--small button--quiet" }, "Copy");
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(getText());
      button.textContent = "Copied";
    } catch {
      button.textContent = "Select and copy by hand";
    }
    window.setTimeout(() => {
      button.textContent = "Copy";
    }, 2000);
  });
  button.setAttribute("aria-label", `Copy ${what}`);
  return button;
}

function codeBlock(id, label, text) {
  return el(
    "div",
    { class: "code-block" },
    el("div", { class: "code-block__head" }, el("h4", { id: `${id}-label` }, label), copyButton(() => text, label)),
    el("pre", { id, tabindex: "0", "aria-labelledby": `${id}-label` }, el("code", {}, text)),
  );
}

export function downloadsContent({ state, resolved, lookup }) {
  const origin = window.location.origin;
  const beacon = beaconRequest(origin, state, resolved);
  const post = JSON.stringify(beacon.post, null, 2);
  const lookupUrl = `${origin}${apiUrl("/api/query/variants", { ...lookup, limit: 100 })}`;
  const curl = `curl -s -X POST '${beacon.postUrl}' \\\n  -H 'Content-Type: application/json' \\\n  -d '${JSON.stringify(beacon.post)}'`;
  return [
    el(
      "div",
      { class: "download-grid" },
      el("div", {}, el("h3", {}, "Calls"), el("p", { class: "panel__note" }, "One line per sample and call."), downloadLinks("calls", lookup, "Download the calls")),
      el("div", {}, el("h3", {}, "Distinct variants"), el("p", { class: "panel__note" }, "One line per variant, with its carriers."), downloadLinks("variants", lookup, "Download the variants")),
      el("div", {}, el("h3", {}, "Variant regions"), el("p", { class: "panel__note" }, "One line per region, with its frequencies (of whole datasets)."), regionDownloads(lookup)),
    ),
    el(
      "details",
      { class: "reproduce" },
      el("summary", {}, "Reproduce this search with the API"),
      el("p", {}, "The same variants from the GA4GH Beacon v2 API (", el("a", { href: "/api/map" }, "endpoints"), ", ", el("a", { href: "/api/filtering_terms" }, "filters"), "):"),
      codeBlock("beacon-get", "Beacon GET", beacon.get),
      codeBlock("beacon-post", `Beacon POST body (to ${beacon.postUrl})`, post),
      codeBlock("beacon-curl", "With curl", curl),
      beacon.notes.length
        ? el("p", { class: "notice notice--warning" }, `The Beacon request cannot express ${beacon.notes.join(", ")}; the lookup API below applies every option.`)
        : null,
      codeBlock("lookup-get", "Lookup API (JSON, paged with skip and limit)", lookupUrl),
      el("p", {}, "All endpoints and parameters: ", el("a", { href: "/api/openapi.json" }, "OpenAPI document"), "."),
    ),
  ];
}
