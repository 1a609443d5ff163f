// Slowly changing public data many pages need, read once and kept briefly: datasets,
// 1kGP cohorts (group names and sizes), group sizes with data, chromosome lengths, genes.

import { apiUrl, getJson } from "./api.js";

const KEEP_MS = 30_000;
const cache = new Map();

function remembered(key, load, keepMs = KEEP_MS) {
  const found = cache.get(key);
  if (found && Date.now() - found.at < keepMs) return found.promise;
  const promise = load();
  cache.set(key, { promise, at: Date.now() });
  promise.catch(() => cache.delete(key));
  return promise;
}

/** Beacon dataset records (id, name, description, info.counts, info.assembly, ...). */
export function datasets() {
  return remembered("datasets", async () => {
    const body = await getJson(apiUrl("/api/datasets", { requestedGranularity: "record", limit: 1000 }));
    return body.response?.collections ?? [];
  });
}

/** 1kGP groups with registered individuals: [{code, level, label, size}], superpopulations first. */
export function cohorts(datasetIds = "") {
  return remembered(`cohorts:${datasetIds}`, async () => {
    const body = await getJson(apiUrl("/api/cohorts", { requestedGranularity: "record", limit: 1000, datasetIds }));
    return (body.response?.collections ?? []).map((cohort) => {
      const term = cohort.inclusionCriteria?.ethnicities?.[0] ?? {};
      const level = String(term.id ?? "").startsWith("superpopulation:") ? "superpopulation" : "population";
      return { code: cohort.id, level, label: term.label ?? cohort.name, size: cohort.cohortSize ?? 0 };
    });
  });
}

/**
 * Group sizes of each dataset (GET /api/query/populations): [{dataset_id, groups: [{level,
 * code, individuals, female, male, registered}]}]. `individuals` are those with data, the
 * denominator of every frequency.
 */
export function populations(datasetIds = "") {
  return remembered(`populations:${datasetIds}`, async () => {
    const body = await getJson(apiUrl("/api/query/populations", datasetIds ? { datasets: datasetIds } : {}));
    return body.datasets ?? [];
  });
}

/** The length of a chromosome (resolving its name, which spans it whole). */
export function chromosomeLength(chrom, assembly) {
  return remembered(`chrom:${assembly}:${chrom}`, async () => {
    const body = await getJson(apiUrl("/api/resolve", { q: `chr${String(chrom).replace(/^chr/i, "")}`, assembly }));
    return body.end;
  }, Number.POSITIVE_INFINITY);
}

/** The widest window the gene track asks genes for (the API's limit). */
export const MAX_GENE_WINDOW = 20_000_000;

/** Protein-coding genes overlapping a window (GET /api/genes). */
export function regionGenes(chrom, start, end, assembly) {
  return remembered(`genes:${assembly}:${chrom}:${start}:${end}`, async () => {
    const body = await getJson(apiUrl("/api/genes", { chrom, start, end, assembly, protein_coding: "true" }));
    return body.genes.map((gene) => ({ symbol: gene.symbol, start: gene.start, end: gene.end }));
  }, 600_000);
}
