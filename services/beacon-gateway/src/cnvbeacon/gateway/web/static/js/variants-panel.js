// The distinct variants of a search: a sortable, paginated table with their carriers,
// linking to each variant and sample. Up to 1,000 variants are read at once and sorted
// here; larger results are paged by the server in position order.

import { apiUrl, getJson } from "./api.js";
import { el, entryPath } from "./dom.js";
import { bp, int, region } from "./format.js";
import { createTable, localSource, remoteSource } from "./data-table.js";
import { notice } from "./status.js";
import { direction, termLabel } from "./vocabulary.js";

const ALL_AT_ONCE = 1000;
const SHOWN_CARRIERS = 3;

export function typeBadge(variantType, efoIds = []) {
  const kind = direction(variantType);
  const word = kind === "loss" ? "Loss" : kind === "gain" ? "Gain" : "CNV";
  const detail = efoIds.length === 1 ? termLabel(efoIds[0]) : "";
  return [el("span", { class: `type type--${kind}` }, word), detail ? el("span", { class: "muted type-detail" }, ` ${detail}`) : null];
}

function carriersCell(variant) {
  const samples = [...new Set(variant.carriers.map((c) => c.biosample_id))];
  const links = samples.slice(0, SHOWN_CARRIERS).map((id, index) => [index ? ", " : "", el("a", { href: entryPath("samples", id) }, id)]);
  const more = samples.length > SHOWN_CARRIERS ? el("span", { class: "muted" }, ` +${int(samples.length - SHOWN_CARRIERS)} more`) : null;
  return [el("strong", {}, int(variant.biosample_count)), " ", el("span", { class: "carriers" }, links, more)];
}

const copyNumbers = (variant) => [...new Set(variant.carriers.map((c) => c.copy_number).filter((v) => v !== null && v !== undefined))].sort((a, b) => a - b);
const passing = (variant) => variant.carriers.filter((c) => c.is_pass).length;

export const VARIANT_COLUMNS = [
  {
    key: "position",
    label: "Variant",
    header: true,
    sort: (v) => [v.start, v.end],
    render: (v) => el("a", { href: entryPath("variants", v.id), class: "mono" }, region(v.chrom, v.start, v.end)),
  },
  { key: "type", label: "Type", sort: (v) => [direction(v.variant_type), v.efo_ids.join()], render: (v) => typeBadge(v.variant_type, v.efo_ids) },
  { key: "length", label: "Size", numeric: true, sort: (v) => v.length, render: (v) => bp(v.length) },
  { key: "carriers", label: "Carriers", numeric: true, sort: (v) => v.biosample_count, render: carriersCell },
  { key: "copies", label: "Copy number", numeric: true, sort: (v) => copyNumbers(v)[0] ?? null, render: (v) => copyNumbers(v).join(", ") || "–" },
  { key: "pass", label: "PASS calls", numeric: true, sort: (v) => passing(v) / Math.max(v.call_count, 1), render: (v) => `${int(passing(v))} of ${int(v.call_count)}` },
];

export async function variantsContent({ lookup, signal }) {
  const first = await getJson(apiUrl("/api/query/variants", { ...lookup, limit: ALL_AT_ONCE }), { signal });
  const total = first.counts.variants;
  if (total <= first.variants.length) {
    return createTable({
      columns: VARIANT_COLUMNS,
      source: localSource(first.variants, VARIANT_COLUMNS),
      caption: "Matching variants",
      initialSort: { key: "position", descending: false },
      rowKey: (v) => v.id,
      signal,
    });
  }
  const source = remoteSource(async (offset, limit, _sort, pageSignal) => {
    const body = await getJson(apiUrl("/api/query/variants", { ...lookup, skip: offset, limit }), { signal: pageSignal });
    return { rows: body.variants, total: body.counts.variants };
  });
  return [
    notice("info", el("p", {}, `${int(total)} variants: shown in position order, a page at a time. Narrow the search (a smaller region or more options) to sort them by other columns.`)),
    createTable({ columns: VARIANT_COLUMNS, source, caption: "Matching variants", rowKey: (v) => v.id, signal }),
  ];
}
