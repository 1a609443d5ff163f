// Loading indicators, error and notice boxes, progress bars and screen-reader announcements.

import { ApiError } from "./api.js";
import { el } from "./dom.js";

export function loading(text = "Loading…") {
  return el("p", { class: "loading", role: "status" }, el("span", { class: "spinner", "aria-hidden": "true" }), text);
}

/** A person-readable message for an error (never a stack trace). */
export function describeError(error) {
  if (error instanceof ApiError) return error.message;
  return `Something went wrong in this page (${error?.message ?? error}). Reloading may help.`;
}

export function errorBox(error, ...extra) {
  const message = typeof error === "string" ? error : describeError(error);
  return el("div", { class: "notice notice--error", role: "alert" }, el("p", {}, message), ...extra);
}

export function notice(kind, ...content) {
  return el("div", { class: `notice notice--${kind}` }, ...content);
}

/** A labelled progress bar; value null: indeterminate. */
export function progressBar(label, value = null) {
  const bar = el("div", { class: "progress__bar" });
  const node = el("div", { class: "progress", role: "progressbar", "aria-label": label, "aria-valuemin": "0", "aria-valuemax": "100" }, bar);
  setProgress(node, value);
  return node;
}

export function setProgress(node, value) {
  const bar = node.querySelector(".progress__bar");
  if (value === null || value === undefined) {
    node.classList.add("progress--indeterminate");
    node.removeAttribute("aria-valuenow");
    bar.style.width = "";
    return;
  }
  const percent = Math.max(0, Math.min(100, Math.round(value * 100)));
  node.classList.remove("progress--indeterminate");
  node.setAttribute("aria-valuenow", String(percent));
  node.setAttribute("aria-valuetext", `${percent}%`);
  bar.style.width = `${percent}%`;
}

/** Say something to screen readers (the page's polite live region). */
export function announce(text) {
  const live = document.getElementById("live");
  if (!live) return;
  live.textContent = "";
  window.setTimeout(() => {
    live.textContent = text;
  }, 50);
}
