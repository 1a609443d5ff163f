// The single entry of the web UI: pages by path, drawn into <main> from the public API.

import { el, replace } from "./dom.js";
import { analysesPage } from "./analyses-page.js";
import { datasetsPage } from "./datasets-page.js";
import { createRouter } from "./router.js";
import { searchPage } from "./search-page.js";
import { individualPage, samplePage } from "./sample-page.js";
import { uploadPage } from "./upload-page.js";
import { variantPage } from "./variant-page.js";

const ROUTES = [
  { pattern: /^\/$/, ...searchPage },
  { pattern: /^\/variants\/([^/]+)$/, ...variantPage },
  { pattern: /^\/samples\/([^/]+)$/, ...samplePage },
  { pattern: /^\/individuals\/([^/]+)$/, ...individualPage },
  { pattern: /^\/analyses$/, ...analysesPage },
  { pattern: /^\/datasets$/, ...datasetsPage },
  { pattern: /^\/upload$/, ...uploadPage },
];

function markSection(section) {
  for (const link of document.querySelectorAll(".nav a[data-section]")) {
    if (link.dataset.section === section) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

function start() {
  const outlet = document.getElementById("main");
  const router = createRouter(outlet, ROUTES, (route) => {
    markSection(route?.section ?? null);
    if (!route) {
      replace(outlet, el("h1", {}, "Page not found"), el("p", {}, "There is no such page. ", el("a", { href: "/" }, "Search the variants"), "."));
      document.title = "Not found · cnvbeacon";
    }
  });
  document.documentElement.classList.add("js");
  router.render();
}

start();
