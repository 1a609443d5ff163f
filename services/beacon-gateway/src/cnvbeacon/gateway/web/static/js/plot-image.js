// A server-drawn SVG plot (the analyses' figures) as an image with progress while it is
// drawn, its error message if it cannot be, and a download link.

import { apiUrl, errorOf } from "./api.js";
import { el, replace } from "./dom.js";
import { errorBox, loading } from "./status.js";

/** path: /api/query/analyses/{dataset}/plots/{name}.svg; params: its query. */
export function plotFigure({ path, params, alt, caption, name }) {
  const url = apiUrl(path, params);
  const status = loading("Drawing the plot…");
  const image = el("img", { src: url, alt, class: "plot-image", decoding: "async", hidden: true, dataset: { plot: name } });
  const download = el("a", { href: apiUrl(path, { ...params, download: "true" }), download: `${name}.svg`, class: "button button--small button--quiet", dataset: { download: name } }, "Download SVG");
  const figure = el("figure", { class: "plot", "aria-busy": "true" }, status, image, el("figcaption", {}, caption ? el("span", {}, caption) : null, download));
  image.addEventListener("load", () => {
    status.remove();
    image.hidden = false;
    figure.removeAttribute("aria-busy");
  });
  image.addEventListener("error", async () => {
    figure.removeAttribute("aria-busy");
    const message = await errorOf(url).catch(() => null);
    replace(status, errorBox(message ?? "The plot could not be drawn."));
    status.classList.remove("loading");
    download.remove();
  });
  return figure;
}
