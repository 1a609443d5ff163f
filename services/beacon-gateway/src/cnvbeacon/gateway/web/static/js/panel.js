// A titled section of a page whose content loads on its own: it shows progress while
// loading and a readable message if that fails, never blocking the rest of the page.

import { isAbort } from "./api.js";
import { el, replace } from "./dom.js";
import { errorBox, loading } from "./status.js";

export function section(id, title, ...intro) {
  const body = el("div", { class: "panel__body" });
  const heading = el("h2", { id: `${id}-title` }, title);
  const tools = el("div", { class: "panel__tools" });
  const node = el("section", { class: "panel", id, "aria-labelledby": `${id}-title` }, el("div", { class: "panel__head" }, heading, tools), ...intro, body);
  return { node, body, tools, heading };
}

/** Run work(signal) -> content for a panel body, showing progress and errors. */
export async function fill(body, work, { signal, message = "Loading…" } = {}) {
  body.setAttribute("aria-busy", "true");
  const height = body.offsetHeight;
  if (height > 80) body.style.minHeight = `${height}px`;
  replace(body, loading(message));
  try {
    const content = await work(signal);
    if (signal?.aborted) return;
    replace(body, content);
  } catch (error) {
    if (isAbort(error) || signal?.aborted) return;
    replace(body, errorBox(error));
  } finally {
    body.removeAttribute("aria-busy");
    body.style.minHeight = "";
  }
}

export function factList(pairs) {
  return el("dl", { class: "facts" }, pairs.filter(Boolean).map(([term, value]) => el("div", {}, el("dt", {}, term), el("dd", {}, value))));
}
