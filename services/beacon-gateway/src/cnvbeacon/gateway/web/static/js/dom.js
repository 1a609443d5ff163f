// DOM nodes built from data without ever parsing HTML: every string becomes a text node or
// an attribute value, so nothing from the API can inject markup or script.

const SVG_NS = "http://www.w3.org/2000/svg";
const SAFE_PROTOCOLS = new Set(["http:", "https:", "blob:", "data:", "mailto:"]);

/** A URL attribute value that cannot run script (javascript: and the like become "#"). */
export function safeUrl(value) {
  const text = String(value);
  try {
    const url = new URL(text, window.location.href);
    return SAFE_PROTOCOLS.has(url.protocol) ? text : "#";
  } catch {
    return "#";
  }
}

function setAttributes(node, attributes) {
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") {
      const names = Array.isArray(value) ? value.filter(Boolean).join(" ") : value;
      node.setAttribute("class", names);
    } else if (name === "dataset") {
      Object.assign(node.dataset, value);
    } else if (name.startsWith("on") && typeof value === "function") {
      node.addEventListener(name.slice(2), value);
    } else if (name === "href" || name === "src" || name === "action") {
      node.setAttribute(name, safeUrl(value));
    } else {
      node.setAttribute(name, value === true ? "" : String(value));
    }
  }
}

function appendChildren(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** An HTML element: el("a", {href: "/x", class: "link"}, "text", otherNode). */
export function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  setAttributes(node, attributes);
  appendChildren(node, children);
  return node;
}

/** An SVG element, as el() for HTML. */
export function svg(tag, attributes, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  setAttributes(node, attributes);
  appendChildren(node, children);
  return node;
}

/** Replace a node's children. */
export function replace(node, ...children) {
  node.replaceChildren();
  appendChildren(node, children);
  return node;
}

/** A link inside the app (the router handles it without reloading the page). */
export function appLink(path, params, ...children) {
  const query = params ? new URLSearchParams(params).toString() : "";
  return el("a", { href: query ? `${path}?${query}` : path }, ...children);
}

/** The app path of an entry page: /variants/{id}, /samples/{id}, /individuals/{id}. */
export function entryPath(kind, id) {
  return `/${kind}/${encodeURIComponent(id)}`;
}
