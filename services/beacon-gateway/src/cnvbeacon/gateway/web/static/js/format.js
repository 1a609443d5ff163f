// How numbers, lengths, positions and frequencies are written on the page.

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

export function int(value) {
  return value === null || value === undefined ? "–" : integer.format(value);
}

export function number(value, digits = 2) {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  return new Intl.NumberFormat("en-US", { maximumFractionDigits: digits }).format(value);
}

/** A length in bases: 950 bp, 12.3 kb, 4.56 Mb. */
export function bp(length) {
  if (length === null || length === undefined) return "–";
  if (length < 1000) return `${integer.format(length)} bp`;
  if (length < 1e6) return `${number(length / 1e3, 1)} kb`;
  return `${number(length / 1e6, 2)} Mb`;
}

/** A fraction as a percentage with sensible precision: 0%, 0.16%, 1.1%, 54%. */
export function percent(fraction) {
  if (fraction === null || fraction === undefined || Number.isNaN(fraction)) return "–";
  if (fraction === 0) return "0%";
  const value = fraction * 100;
  if (value < 0.01) return "<0.01%";
  const digits = value < 1 ? 2 : value < 10 ? 1 : 0;
  return `${value.toFixed(digits)}%`;
}

export function chromName(chrom) {
  return /^chr/i.test(chrom) ? chrom : `chr${chrom}`;
}

/** chr5:180,949,351-181,005,751 */
export function region(chrom, start, end) {
  return `${chromName(chrom)}:${int(start)}-${int(end)}`;
}

/** A length as typed: 5000, 5,000, 5 kb, 1.5Mb; NaN when it is not one. */
export function parseLength(text) {
  const match = /^\s*([\d.,]+)\s*(bp|b|kb|k|mb|m)?\s*$/i.exec(String(text));
  if (!match) return Number.NaN;
  const value = Number(match[1].replaceAll(",", ""));
  const unit = (match[2] ?? "bp").toLowerCase();
  const scale = unit.startsWith("k") ? 1e3 : unit.startsWith("m") ? 1e6 : 1;
  return Math.round(value * scale);
}

export function dateTime(text) {
  if (!text) return "–";
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? String(text) : date.toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" });
}

/** "1 call", "3 calls" */
export function plural(count, word, many = `${word}s`) {
  return `${int(count)} ${count === 1 ? word : many}`;
}
