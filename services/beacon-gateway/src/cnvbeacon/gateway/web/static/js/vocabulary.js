// The copy-number terms (EFO) and sexes (NCIT) the API filters on, with words for people.
// The API matches a term with its descendants (a loss includes complete deletions).

export const LOSS = "EFO:0030067";
export const GAIN = "EFO:0030070";

export const VARIANT_TYPES = [
  { id: "", label: "Any copy-number change" },
  { id: LOSS, label: "Loss (deletion), any" },
  { id: "EFO:0030068", label: "— low-level loss (one copy lost)", direction: "loss" },
  { id: "EFO:0030069", label: "— complete deletion (no copy left)", direction: "loss" },
  { id: GAIN, label: "Gain (duplication), any" },
  { id: "EFO:0030071", label: "— low-level gain (one extra copy)", direction: "gain" },
  { id: "EFO:0030072", label: "— high-level gain (two or more extra)", direction: "gain" },
];

const TERM_LABELS = {
  "EFO:0030066": "copy number variation",
  "EFO:0030067": "copy number loss",
  "EFO:0030068": "low-level copy number loss",
  "EFO:0030069": "complete genomic deletion",
  "EFO:0030070": "copy number gain",
  "EFO:0030071": "low-level copy number gain",
  "EFO:0030072": "high-level copy number gain",
  "EFO:0030073": "focal genomic amplification",
};

const LOSS_TERMS = new Set(["EFO:0030067", "EFO:0030068", "EFO:0030069"]);
const GAIN_TERMS = new Set(["EFO:0030070", "EFO:0030071", "EFO:0030072", "EFO:0030073"]);

const ZYGOSITY_LABELS = { "GENO:0000134": "hemizygous", "GENO:0000135": "heterozygous", "GENO:0000136": "homozygous" };

export const SEX_TERMS = { female: "NCIT:C16576", male: "NCIT:C20197", unknown: "NCIT:C17998" };

export function termLabel(id) {
  return TERM_LABELS[id] ?? id;
}

export function zygosityLabel(id) {
  return ZYGOSITY_LABELS[id] ?? id;
}

/** "loss", "gain" or "other", from a call's variant_type (DEL/DUP/CNV) or an EFO id. */
export function direction(value) {
  if (value === "DEL" || LOSS_TERMS.has(value)) return "loss";
  if (value === "DUP" || GAIN_TERMS.has(value)) return "gain";
  return "other";
}

/** The variant-type filter of a URL as one select value (handovers list every term). */
export function variantTypeChoice(text) {
  const ids = (text ?? "").split(",").map((id) => id.trim()).filter(Boolean);
  if (ids.length === 0) return "";
  if (ids.length === 1) return ids[0];
  if (ids.every((id) => LOSS_TERMS.has(id))) return ids.length === LOSS_TERMS.size ? LOSS : ids[0];
  if (ids.every((id) => GAIN_TERMS.has(id))) return ids.length >= GAIN_TERMS.size - 1 ? GAIN : ids[0];
  return "";
}

/** Which directions a variant-type filter lets through. */
export function directionsOf(choice) {
  if (!choice) return ["loss", "gain"];
  const found = direction(choice);
  return found === "other" ? ["loss", "gain"] : [found];
}
