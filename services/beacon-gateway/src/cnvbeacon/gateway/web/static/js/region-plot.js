// The region plot, drawn as SVG: a coordinate axis, a gene track, and one row per sample
// with its calls as segments (losses red, gains blue; deeper colours for complete
// deletions and high-level gains). Segments link to their variant, rows to their sample.

import { entryPath, svg } from "./dom.js";
import { bp, chromName, int } from "./format.js";
import { direction } from "./vocabulary.js";

const AXIS_HEIGHT = 34;
const GENE_ROW = 20;
const MAX_GENE_ROWS = 4;
const PAD_RIGHT = 14;
const CHAR_WIDTH = 7.2;

function niceStep(span, target) {
  const raw = span / Math.max(target, 1);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
  return step ?? 10 * power;
}

function tickLabel(position, step) {
  if (step >= 1e6) return `${(position / 1e6).toFixed(0)} Mb`;
  if (step >= 1e5) return `${(position / 1e6).toFixed(1)} Mb`;
  if (step >= 1e4) return `${(position / 1e6).toFixed(2)} Mb`;
  if (step >= 1e3) return `${(position / 1e6).toFixed(3)} Mb`;
  return int(position);
}

function segmentClass(call) {
  const kind = direction(call.variant_type);
  if (kind === "loss") return call.copy_number === 0 ? "seg seg--loss-deep" : "seg seg--loss";
  if (kind === "gain") return call.copy_number !== null && call.copy_number >= 4 ? "seg seg--gain-high" : "seg seg--gain";
  return "seg seg--other";
}

export function variantId(call) {
  return `${call.assembly}:${call.chrom}:${call.start}-${call.end}:${call.variant_type}`;
}

function callTitle(call) {
  const kind = direction(call.variant_type);
  const what = kind === "loss" ? "Loss" : kind === "gain" ? "Gain" : "Copy-number change";
  const copies = call.copy_number === null || call.copy_number === undefined ? "" : `, copy number ${call.copy_number}`;
  return `${call.biosample_id}: ${what} ${chromName(call.chrom)}:${int(call.start)}-${int(call.end)} (${bp(call.end - call.start)}${copies}${call.is_pass ? "" : ", not PASS"})`;
}

/** Rows of genes that do not overlap each other's bar or label. */
function layoutGenes(genes, x, left, right) {
  const rows = [];
  const placed = [];
  let hidden = 0;
  for (const gene of [...genes].sort((a, b) => a.start - b.start)) {
    const x1 = Math.max(x(gene.start), left);
    const x2 = Math.min(Math.max(x(gene.end), x1 + 1), right);
    const labelEnd = Math.max(x2, x1 + gene.symbol.length * CHAR_WIDTH) + 8;
    let row = rows.findIndex((end) => end < x1);
    if (row === -1 && rows.length < MAX_GENE_ROWS) row = rows.push(0) - 1;
    if (row === -1) {
      hidden += 1;
      continue;
    }
    rows[row] = labelEnd;
    placed.push({ gene, row, x1, x2 });
  }
  return { placed, rows: Math.max(rows.length, 1), hidden };
}

/**
 * window: {chrom, start, end}; calls: call views; genes: [{symbol, start, end}] or null
 * (unknown); focus: {start, end, label} to shade, or null; width in pixels.
 */
export function drawRegionPlot({ window: view, calls, genes, focus, width }) {
  const compact = width < 560;
  const left = compact ? 64 : 104;
  const right = width - PAD_RIGHT;
  const span = Math.max(view.end - view.start, 1);
  const x = (position) => left + ((position - view.start) / span) * (right - left);
  const clampX = (position) => Math.min(Math.max(x(position), left), right);

  const samples = new Map();
  for (const call of calls) {
    const id = `${call.dataset_id}\u0000${call.biosample_id}`;
    if (!samples.has(id)) samples.set(id, { id: call.biosample_id, calls: [] });
    samples.get(id).calls.push(call);
  }
  const rows = [...samples.values()].sort((a, b) => Math.min(...a.calls.map((c) => c.start)) - Math.min(...b.calls.map((c) => c.start)) || a.id.localeCompare(b.id));
  const rowHeight = rows.length ? Math.max(3, Math.min(16, Math.floor(420 / rows.length))) : 16;
  const labelled = rowHeight >= 10;

  const geneLayout = layoutGenes((genes ?? []).filter((g) => g.end > view.start && g.start < view.end), x, left, right);
  const genesTop = AXIS_HEIGHT + 6;
  const samplesTop = genesTop + geneLayout.rows * GENE_ROW + 10;
  const samplesHeight = Math.max(rows.length, 1) * rowHeight;
  const height = samplesTop + samplesHeight + 8;
  const root = svg("svg", {
    class: "region-plot",
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    role: "img",
    "aria-label": `Region plot of ${chromName(view.chrom)}:${int(view.start)}-${int(view.end)}: ${int(calls.length)} calls of ${int(rows.length)} samples`,
  });

  if (focus && focus.end > view.start && focus.start < view.end) {
    root.append(svg("rect", { class: "focus", x: clampX(focus.start), y: AXIS_HEIGHT, width: Math.max(clampX(focus.end) - clampX(focus.start), 1), height: height - AXIS_HEIGHT }, svg("title", {}, focus.label)));
  }

  const step = niceStep(span, (right - left) / (compact ? 80 : 110));
  const axis = svg("g", { class: "axis" }, svg("line", { x1: left, x2: right, y1: AXIS_HEIGHT, y2: AXIS_HEIGHT }));
  for (let tick = Math.ceil(view.start / step) * step; tick <= view.end; tick += step) {
    axis.append(svg("line", { x1: x(tick), x2: x(tick), y1: AXIS_HEIGHT - 5, y2: AXIS_HEIGHT }), svg("text", { x: x(tick), y: AXIS_HEIGHT - 9, "text-anchor": "middle" }, tickLabel(tick, step)));
  }
  axis.append(svg("text", { x: 4, y: AXIS_HEIGHT - 9, class: "axis__chrom" }, chromName(view.chrom)));
  root.append(axis);

  const geneTrack = svg("g", { class: "genes" }, svg("text", { x: 4, y: genesTop + 12, class: "track-label" }, "Genes"));
  if (genes === null) {
    geneTrack.append(svg("text", { x: left, y: genesTop + 12, class: "muted-text" }, "gene track unavailable"));
  } else if (geneLayout.placed.length === 0) {
    geneTrack.append(svg("text", { x: left, y: genesTop + 12, class: "muted-text" }, "no protein-coding gene here"));
  }
  for (const { gene, row, x1, x2 } of geneLayout.placed) {
    const y = genesTop + row * GENE_ROW;
    const link = svg("a", { href: `/?q=${encodeURIComponent(gene.symbol)}`, class: "gene" }, svg("title", {}, `${gene.symbol} ${chromName(view.chrom)}:${int(gene.start)}-${int(gene.end)}`));
    link.append(svg("rect", { x: x1, y: y + 12, width: x2 - x1, height: 5, class: "gene__bar" }), svg("text", { x: x1, y: y + 9, class: "gene__label" }, gene.symbol));
    geneTrack.append(link);
  }
  root.append(geneTrack);

  const track = svg("g", { class: "samples" }, svg("text", { x: 4, y: samplesTop - 2, class: "track-label" }, labelled ? "" : "Samples"));
  if (rows.length === 0) {
    track.append(svg("text", { x: (left + right) / 2, y: samplesTop + 12, "text-anchor": "middle", class: "muted-text" }, "No matching calls in this window"));
  }
  rows.forEach((row, index) => {
    const y = samplesTop + index * rowHeight;
    if (index % 2 === 1) track.append(svg("rect", { class: "row-band", x: left, y, width: right - left, height: rowHeight }));
    if (labelled) {
      track.append(svg("a", { href: entryPath("samples", row.id), class: "sample-label" }, svg("text", { x: left - 10, y: y + rowHeight - 3, "text-anchor": "end" }, row.id)));
    }
    for (const call of row.calls) {
      const x1 = clampX(call.start);
      const x2 = Math.max(clampX(call.end), x1 + 1.5);
      const barHeight = Math.max(rowHeight - 2, 1);
      const rect = svg("rect", { class: segmentClass(call), x: x1, y: y + 1, width: x2 - x1, height: barHeight }, svg("title", {}, callTitle(call)));
      const link = svg("a", { href: entryPath("variants", variantId(call)), tabindex: "-1" }, rect);
      // A call going on past the window: an arrowhead at the edge it crosses.
      const tip = Math.min(barHeight, 8);
      const middle = y + 1 + barHeight / 2;
      if (call.start < view.start && barHeight >= 5) link.append(svg("polygon", { class: `${segmentClass(call)} seg__more`, points: `${left - tip},${middle} ${left},${middle - tip / 2} ${left},${middle + tip / 2}` }));
      if (call.end > view.end && barHeight >= 5) link.append(svg("polygon", { class: `${segmentClass(call)} seg__more`, points: `${right + tip},${middle} ${right},${middle - tip / 2} ${right},${middle + tip / 2}` }));
      track.append(link);
    }
  });
  root.append(track);
  return { element: root, hiddenGenes: geneLayout.hidden, plotLeft: left, plotRight: right, toPosition: (px) => view.start + ((px - left) / (right - left)) * span };
}
