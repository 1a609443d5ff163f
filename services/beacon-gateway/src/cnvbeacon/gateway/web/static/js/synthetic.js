// The warning every page about data shows when the data are synthetic (generated for
// testing, under real 1000 Genomes sample ids): from the datasets' Beacon records.

import { el } from "./dom.js";
import { datasets } from "./reference.js";
import { notice } from "./status.js";

/** A warning naming those of these datasets that hold synthetic data; null if none. */
export async function syntheticNotice(datasetIds) {
  const known = await datasets().catch(() => []);
  const synthetic = known.filter((d) => datasetIds.includes(d.id) && d.info?.synthetic).map((d) => d.id);
  if (synthetic.length === 0) return null;
  return notice("warning", el("p", { class: "synthetic" }, `Synthetic data, for testing: not real people (${synthetic.join(", ")}).`));
}
