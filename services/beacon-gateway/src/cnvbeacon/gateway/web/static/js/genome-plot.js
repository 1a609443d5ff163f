// A sample's calls over the whole genome, drawn as SVG: one line per chromosome (scaled
// to its length) with losses red and gains blue.

import { svg } from "./dom.js";
import { chromName, int } from "./format.js";
import { direction } from "./vocabulary.js";

const ROW = 18;

/** calls: [{chrom, start, end, kind: loss|gain|other, label, href}]; lengths: Map chrom -> length. */
export function drawGenomePlot({ calls, chromosomes, lengths, width }) {
  const left = 44;
  const right = width - 10;
  const longest = Math.max(...chromosomes.map((c) => lengths.get(c) ?? 0), 1);
  const x = (position) => left + (position / longest) * (right - left);
  const height = chromosomes.length * ROW + 8;
  const root = svg("svg", { class: "genome-plot", width, height, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": `${int(calls.length)} calls over the genome` });
  chromosomes.forEach((chrom, index) => {
    const y = 4 + index * ROW;
    root.append(
      svg("text", { x: left - 6, y: y + 12, "text-anchor": "end", class: "genome-plot__name" }, chromName(chrom)),
      svg("rect", { x: left, y: y + 6, width: x(lengths.get(chrom) ?? 0) - left, height: 4, rx: 2, class: "genome-plot__chrom" }),
    );
    for (const call of calls.filter((c) => c.chrom === chrom)) {
      const x1 = x(call.start);
      const link = svg("a", { href: call.href, tabindex: "-1" }, svg("rect", { x: x1, y: y + 1, width: Math.max(x(call.end) - x1, 2), height: 14, class: `seg seg--${direction(call.type)}` }, svg("title", {}, call.label)));
      root.append(link);
    }
  });
  return root;
}
