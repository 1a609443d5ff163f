// The region plot section: loads the result's calls and the genes of the window, draws
// the plot at the width available, and zooms and pans by re-querying (the new window
// goes into the URL). Drag across the plot to zoom into a stretch.

import { apiUrl, getJson } from "./api.js";
import { el, replace } from "./dom.js";
import { bp, int, plural, region } from "./format.js";
import { MAX_GENE_WINDOW, chromosomeLength, regionGenes } from "./reference.js";
import { drawRegionPlot } from "./region-plot.js";
import { searchUrl, withWindow } from "./search-state.js";
import { notice } from "./status.js";

const MAX_CALLS = 5000; // one page (the query service's largest)
// What region-plot.js draws of a call: the rest of each call is not read.
const PLOT_FIELDS = "dataset_id,biosample_id,assembly,chrom,start,end,variant_type,copy_number,is_pass";
const MIN_SPAN = 100;
const CONTEXT = 0.25; // of a gene's or band's length on each side

function legend() {
  const item = (kind, label) => el("li", {}, el("span", { class: `swatch swatch--${kind}`, "aria-hidden": "true" }), label);
  return el(
    "ul",
    { class: "legend" },
    item("loss", "loss"),
    item("loss-deep", "loss to copy number 0"),
    item("gain", "gain"),
    item("gain-high", "gain to copy number 4+"),
    item("focus", "searched gene or band"),
  );
}

/** Genes of the window, or null when it is too wide for a gene track. */
async function genesOf(view, assembly) {
  if (view.end - view.start > MAX_GENE_WINDOW) return null;
  return regionGenes(view.chrom, view.start, view.end, assembly).catch(() => null);
}

/** Zoom (factor < 1: in) or pan (shift in spans) a window, kept on the chromosome. */
export function moveWindow({ start, end }, length, { factor = 1, shift = 0 }) {
  const span = end - start;
  const center = (start + end) / 2 + shift * span;
  const newSpan = Math.min(Math.max(Math.round(span * factor), MIN_SPAN), length);
  let newStart = Math.round(center - newSpan / 2);
  newStart = Math.min(Math.max(newStart, 0), Math.max(length - newSpan, 0));
  return { start: newStart, end: Math.min(newStart + newSpan, length) };
}

function toolbar(go) {
  const button = (label, symbol, word, action, after = false) =>
    el(
      "button",
      { type: "button", class: "button button--small", "aria-label": label, title: label, onclick: action },
      after ? el("span", { class: "toolbar__word" }, `${word} `) : null,
      el("span", { "aria-hidden": "true" }, symbol),
      after ? null : el("span", { class: "toolbar__word" }, ` ${word}`),
    );
  return el(
    "div",
    { class: "toolbar", role: "group", "aria-label": "Move the window" },
    button("Pan left", "◀", "Left", () => go({ shift: -0.5 })),
    button("Zoom in", "+", "Zoom in", () => go({ factor: 0.5 })),
    button("Zoom out", "−", "Zoom out", () => go({ factor: 2 })),
    button("Pan right", "▶", "Right", () => go({ shift: 0.5 }), true),
  );
}

function enableDragZoom(holder, plot, zoomTo) {
  const svgNode = plot.element;
  let from = null;
  let band = null;
  const localX = (event) => event.clientX - svgNode.getBoundingClientRect().left;
  svgNode.addEventListener("pointerdown", (event) => {
    if (event.button !== 0 || event.pointerType === "touch") return;
    from = localX(event);
  });
  svgNode.addEventListener("pointermove", (event) => {
    if (from === null) return;
    const to = localX(event);
    if (Math.abs(to - from) < 6) return;
    if (!band) {
      band = el("div", { class: "drag-band", "aria-hidden": "true" });
      holder.append(band);
    }
    band.style.left = `${Math.min(from, to) + svgNode.offsetLeft}px`;
    band.style.width = `${Math.abs(to - from)}px`;
    band.style.height = `${svgNode.getBoundingClientRect().height}px`;
  });
  const finish = (event) => {
    if (from === null) return;
    const to = localX(event);
    const start = from;
    from = null;
    band?.remove();
    band = null;
    if (Math.abs(to - start) < 6) return;
    svgNode.addEventListener("click", (click) => click.preventDefault(), { capture: true, once: true });
    const a = plot.toPosition(Math.max(Math.min(start, to), plot.plotLeft));
    const b = plot.toPosition(Math.min(Math.max(start, to), plot.plotRight));
    zoomTo(Math.round(a), Math.round(b));
  };
  svgNode.addEventListener("pointerup", finish);
  svgNode.addEventListener("pointerleave", () => {
    from = null;
    band?.remove();
    band = null;
  });
}

/** The plotted window: a searched gene or band with some context around it. */
function plotWindow(state, resolved) {
  const view = { chrom: resolved.chrom, start: resolved.start, end: resolved.end };
  if (state.match !== "overlap" || !["gene", "genes", "cytoband"].includes(resolved.kind)) return view;
  const pad = Math.max(Math.round((view.end - view.start) * CONTEXT), 2000);
  return { ...view, start: Math.max(view.start - pad, 0), end: view.end + pad };
}

export function regionPanelParts({ state, resolved, lookup, navigate }) {
  const view = plotWindow(state, resolved);
  const go = async (move) => {
    const length = await chromosomeLength(view.chrom, resolved.assembly).catch(() => Number.MAX_SAFE_INTEGER);
    const next = moveWindow(view, length, move);
    navigate(searchUrl(withWindow(state, view.chrom, next.start, next.end)), { keepScroll: true });
  };
  const zoomTo = (start, end) => {
    if (end - start < MIN_SPAN) end = start + MIN_SPAN;
    navigate(searchUrl(withWindow(state, view.chrom, start, end)), { keepScroll: true });
  };

  async function content(signal) {
    const length = await chromosomeLength(view.chrom, resolved.assembly).catch(() => view.end);
    view.end = Math.min(view.end, length);
    const [body, genes] = await Promise.all([
      getJson(apiUrl("/api/query/calls", { ...lookup, start: view.start, end: view.end, fields: PLOT_FIELDS, limit: MAX_CALLS }), { signal }),
      genesOf(view, resolved.assembly),
    ]);
    const items = body.calls;
    const total = body.counts.calls;
    const padded = view.start !== resolved.start || view.end !== resolved.end;
    const focus = ["gene", "genes", "cytoband"].includes(resolved.kind) ? { start: resolved.start, end: resolved.end, label: resolved.label } : null;
    const holder = el("div", { class: "plot-holder" });
    const genesNote = el("p", { class: "panel__note" });
    let lastWidth = 0;
    const draw = () => {
      const width = Math.max(Math.floor(holder.clientWidth), 280);
      if (width === lastWidth) return;
      lastWidth = width;
      const plot = drawRegionPlot({ window: view, calls: items, genes, focus, width });
      replace(holder, plot.element);
      enableDragZoom(holder, plot, zoomTo);
      genesNote.textContent = plot.hiddenGenes ? `${plural(plot.hiddenGenes, "more gene is", "more genes are")} not shown for lack of room: zoom in to see them.` : "";
    };
    const observer = new ResizeObserver(() => window.requestAnimationFrame(draw));
    observer.observe(holder);
    signal.addEventListener("abort", () => observer.disconnect());
    const notes = [];
    if (items.length < total) notes.push(notice("info", el("p", {}, `Showing the first ${int(items.length)} of ${int(total)} calls: zoom in to see them all.`)));
    if (genes === null) notes.push(el("p", { class: "panel__note" }, `Genes are shown for windows up to ${bp(MAX_GENE_WINDOW)}: zoom in to see them.`));
    return [
      el("p", { class: "panel__note" }, `${plural(items.length, "call")} of ${plural(new Set(items.map((c) => `${c.dataset_id}:${c.biosample_id}`)).size, "sample")} in ${region(view.chrom, view.start, view.end)} (${bp(view.end - view.start)}${padded ? `: the ${resolved.kind} and ${CONTEXT * 100}% of its length on each side` : ""}). Hover over a segment for details, click it for its variant; drag across the plot to zoom in.`),
      legend(),
      holder,
      genesNote,
      ...notes,
    ];
  }

  return { tools: toolbar(go), content };
}
