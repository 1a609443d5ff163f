// Pages by path, History-API navigation, and links inside the app handled without reloads.
// A page is {title, mount(outlet, context) -> {update?(context)}}; navigating within the
// same route calls update (so a search page keeps its form and focus while re-querying).

import { replace } from "./dom.js";

function pageLink(event) {
  if (event.defaultPrevented || event.button !== 0) return null;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return null;
  const link = event.target.closest?.("a[href]");
  if (!link || link.hasAttribute("download") || (link.target && link.target !== "_self")) return null;
  const url = new URL(link.href, window.location.href);
  if (url.origin !== window.location.origin) return null;
  return url;
}

export function createRouter(outlet, routes, onPage) {
  let current = null; // {route, page, path}
  let controller = null;

  function match(path) {
    for (const route of routes) {
      const found = route.pattern.exec(path);
      if (found) return { route, found };
    }
    return null;
  }

  function render() {
    controller?.abort();
    controller = new AbortController();
    const path = window.location.pathname;
    const context = {
      params: new URLSearchParams(window.location.search),
      match: null,
      signal: controller.signal,
      navigate,
    };
    const matched = match(path);
    if (!matched) {
      current = null;
      replace(outlet);
      onPage(null, context);
      return;
    }
    context.match = matched.found;
    if (current && current.route === matched.route && current.path === path && current.page?.update) {
      current.page.update(context);
      return;
    }
    replace(outlet);
    const page = matched.route.mount(outlet, context);
    current = { route: matched.route, page, path };
    onPage(matched.route, context);
  }

  /** Go to a URL of the app; keepScroll for re-queries of the page being looked at. */
  function navigate(url, { replace: replaceEntry = false, keepScroll = false } = {}) {
    const target = new URL(url, window.location.href);
    const samePath = target.pathname === window.location.pathname;
    if (replaceEntry) window.history.replaceState(null, "", target);
    else window.history.pushState(null, "", target);
    render();
    if (!keepScroll && !samePath) {
      window.scrollTo(0, 0);
      outlet.focus({ preventScroll: true });
    }
  }

  document.addEventListener("click", (event) => {
    const url = pageLink(event);
    if (!url || !match(url.pathname)) return;
    event.preventDefault();
    navigate(url);
  });
  window.addEventListener("popstate", render);
  return { render, navigate };
}
