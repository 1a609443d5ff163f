// A sortable, paginated table. Rows come from a source: all rows at once (sorted and paged
// here) or pages fetched on demand (paged by the server, sortable by what it offers).
// Column: {key, label, render(row) -> node|text, sort?(row) -> value, numeric?}.

import { isAbort } from "./api.js";
import { el, replace } from "./dom.js";
import { int } from "./format.js";
import { describeError } from "./status.js";

const PAGE_SIZES = [10, 25, 50, 100];

function compare(a, b) {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  if (Array.isArray(a)) {
    for (let i = 0; i < Math.min(a.length, b.length); i += 1) {
      const order = compare(a[i], b[i]);
      if (order) return order;
    }
    return a.length - b.length;
  }
  return a < b ? -1 : 1;
}

/** Rows held in the page. */
export function localSource(rows, columns) {
  return {
    total: rows.length,
    sortable: (column) => Boolean(column.sort),
    async page(offset, limit, sort) {
      let sorted = rows;
      if (sort) {
        const column = columns.find((c) => c.key === sort.key);
        sorted = [...rows].sort((a, b) => compare(column.sort(a), column.sort(b)) * (sort.descending ? -1 : 1));
      }
      return { rows: sorted.slice(offset, offset + limit), total: rows.length };
    },
  };
}

/** Rows fetched a page at a time: fetchPage(offset, limit, sort, signal) -> {rows, total}. */
export function remoteSource(fetchPage, sortKeys = []) {
  return { sortable: (column) => sortKeys.includes(column.key), page: fetchPage };
}

export function createTable({ columns, source, caption, pageSize = 25, initialSort = null, rowKey = null, signal = null }) {
  let offset = 0;
  let limit = pageSize;
  let sort = initialSort;
  let total = source.total ?? 0;
  let requests = 0;
  const body = el("tbody");
  const status = el("p", { class: "table-status", role: "status" });
  const headCells = columns.map((column) => {
    const cell = el("th", { scope: "col", class: column.numeric ? "num" : null });
    if (source.sortable(column)) {
      cell.append(el("button", { type: "button", class: "sort", onclick: () => sortBy(column) }, column.label, el("span", { class: "sort__icon", "aria-hidden": "true" })));
    } else {
      cell.append(column.label);
    }
    return cell;
  });
  const table = el("table", { class: "table" }, caption ? el("caption", { class: "visually-hidden" }, caption) : null, el("thead", {}, el("tr", {}, headCells)), body);
  const previous = el("button", { type: "button", class: "button button--small", onclick: () => go(offset - limit) }, "◀ Previous");
  const next = el("button", { type: "button", class: "button button--small", onclick: () => go(offset + limit) }, "Next ▶");
  const position = el("span", { class: "pager__position" });
  const sizeSelect = el("select", { "aria-label": "Rows per page" }, PAGE_SIZES.map((size) => el("option", { value: String(size) }, `${size} per page`)));
  sizeSelect.value = String(limit);
  sizeSelect.addEventListener("change", () => {
    limit = Number(sizeSelect.value);
    go(0);
  });
  const pager = el("nav", { class: "pager", "aria-label": caption ? `Pages of ${caption}` : "Pages" }, previous, position, next, sizeSelect);

  function showSort() {
    columns.forEach((column, index) => {
      const cell = headCells[index];
      if (sort?.key === column.key) cell.setAttribute("aria-sort", sort.descending ? "descending" : "ascending");
      else cell.removeAttribute("aria-sort");
    });
  }

  function sortBy(column) {
    sort = sort?.key === column.key ? { key: column.key, descending: !sort.descending } : { key: column.key, descending: Boolean(column.numeric) };
    showSort();
    go(0);
  }

  async function go(newOffset) {
    offset = Math.max(0, newOffset);
    const request = ++requests;
    table.setAttribute("aria-busy", "true");
    status.textContent = "Loading…";
    try {
      const page = await source.page(offset, limit, sort, signal);
      if (request !== requests) return;
      total = page.total;
      replace(
        body,
        page.rows.length
          ? page.rows.map((row) => el("tr", rowKey ? { dataset: { key: rowKey(row) } } : {}, columns.map((c) => el(c.header ? "th" : "td", { class: c.numeric ? "num" : null, scope: c.header ? "row" : null }, c.render(row)))))
          : el("tr", {}, el("td", { colspan: String(columns.length), class: "muted" }, "Nothing to show.")),
      );
      const last = Math.min(offset + page.rows.length, total);
      position.textContent = total ? `${int(offset + 1)}–${int(last)} of ${int(total)}` : "0 rows";
      previous.disabled = offset === 0;
      next.disabled = last >= total;
      pager.hidden = total <= PAGE_SIZES[0];
      status.textContent = "";
    } catch (error) {
      if (isAbort(error)) return;
      status.textContent = describeError(error);
    } finally {
      if (request === requests) table.removeAttribute("aria-busy");
    }
  }

  showSort();
  go(0);
  return el("div", { class: "data-table" }, el("div", { class: "table-scroll" }, table), status, pager);
}
