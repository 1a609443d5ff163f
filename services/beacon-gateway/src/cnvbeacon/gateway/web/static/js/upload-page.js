// The upload page (/upload), for administrators: the admin token (kept for this tab), a
// form to submit VCF files or a manifest with its files, live progress per job and batch,
// errors with file, line and message, and the latest jobs.

import { apiUrl, isAbort } from "./api.js";
import { getToken, setToken } from "./admin-token.js";
import { el, replace } from "./dom.js";
import { dateTime, int } from "./format.js";
import { followEvents, getJob, recentJobs, submit } from "./ingest-client.js";
import { createTracker } from "./ingest-progress.js";
import { announce, describeError, loading } from "./status.js";

const POLL_MS = 4000;

function tokenForm(onChange) {
  const input = el("input", { id: "admin-token", type: "password", autocomplete: "off", spellcheck: "false" });
  const state = el("p", { class: "field__hint", id: "token-state", role: "status" });
  const show = () => {
    state.textContent = getToken() ? "A token is set for this browser tab." : "No token set: submissions need one.";
    onChange(Boolean(getToken()));
  };
  const forget = () => {
    setToken("");
    input.value = "";
    show();
  };
  const form = el(
    "form",
    { class: "token-form" },
    el("div", { class: "field" }, el("label", { for: "admin-token" }, "Admin token"), input),
    el("button", { type: "submit", class: "button" }, "Use this token"),
    el("button", { type: "button", class: "button button--quiet", onclick: forget }, "Forget it"),
    state,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    setToken(input.value.trim());
    input.value = "";
    show();
    announce(getToken() ? "Token set" : "Token cleared");
  });
  show();
  return form;
}

function submissionForm(onSubmit) {
  const radio = (value, label, checked) =>
    el("div", { class: "field field--check" }, el("input", { type: "radio", name: "mode", id: `mode-${value}`, value, checked }), el("label", { for: `mode-${value}` }, label));
  const files = el("input", { id: "vcf-files", type: "file", multiple: true, accept: ".vcf,.gz,.bgz" });
  const sample = el("input", { id: "sample-id", autocomplete: "off", placeholder: "read from the VCF" });
  const manifest = el("input", { id: "manifest-file", type: "file", accept: ".tsv,.csv,.txt" });
  const manifestFiles = el("input", { id: "manifest-files", type: "file", multiple: true, accept: ".vcf,.gz,.bgz" });
  const dataset = el("input", { id: "dataset-id", autocomplete: "off", placeholder: "the default dataset", pattern: "[A-Za-z0-9_.:-]{1,64}" });
  const assembly = el("select", { id: "upload-assembly" }, [["", "From the file"], ["GRCh38", "GRCh38"], ["GRCh37", "GRCh37"]].map(([v, t]) => el("option", { value: v }, t)));
  const problem = el("p", { class: "field__error", role: "alert", hidden: true });
  const filePart = el("div", { class: "mode-part", dataset: { mode: "files" } }, el("div", { class: "field" }, el("label", { for: "vcf-files" }, "DRAGEN CNV VCF files (.vcf or .vcf.gz)"), files), el("div", { class: "field" }, el("label", { for: "sample-id" }, "Sample id (one file only)"), sample));
  const manifestPart = el(
    "div",
    { class: "mode-part", dataset: { mode: "manifest" }, hidden: true },
    el("div", { class: "field" }, el("label", { for: "manifest-file" }, "Manifest (TSV or CSV: file, sample, sex, population, …)"), manifest),
    el("div", { class: "field" }, el("label", { for: "manifest-files" }, "The files it names (unless it names URLs or inbox paths)"), manifestFiles),
  );
  const button = el("button", { type: "submit", class: "button button--primary" }, "Upload and ingest");
  const form = el(
    "form",
    { class: "upload-form", "aria-label": "Submit data" },
    el("fieldset", { class: "modes" }, el("legend", {}, "What to submit"), radio("files", "VCF files, one job each", true), radio("manifest", "A manifest and its files, as one batch", false)),
    filePart,
    manifestPart,
    el("div", { class: "field-pair" }, el("div", { class: "field" }, el("label", { for: "dataset-id" }, "Dataset id"), dataset), el("div", { class: "field" }, el("label", { for: "upload-assembly" }, "Assembly"), assembly)),
    problem,
    button,
  );
  form.addEventListener("change", (event) => {
    if (event.target.name !== "mode") return;
    filePart.hidden = event.target.value !== "files";
    manifestPart.hidden = event.target.value !== "manifest";
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    problem.hidden = true;
    const mode = form.querySelector("input[name=mode]:checked").value;
    const fail = (message, control) => {
      problem.textContent = message;
      problem.hidden = false;
      control?.focus();
    };
    if (!getToken()) return fail("Set the admin token first.", document.getElementById("admin-token"));
    if (dataset.value && !dataset.checkValidity()) return fail("A dataset id is 1–64 letters, digits or _ . : -", dataset);
    const common = { dataset: dataset.value.trim(), assembly: assembly.value };
    if (mode === "files") {
      if (files.files.length === 0) return fail("Choose one or more VCF files.", files);
      if (files.files.length > 1 && sample.value.trim()) return fail("A sample id can only be given for a single file.", sample);
      onSubmit({ mode, files: [...files.files], sample: sample.value.trim(), ...common });
      files.value = "";
    } else {
      if (manifest.files.length === 0) return fail("Choose the manifest.", manifest);
      onSubmit({ mode, manifest: manifest.files[0], files: [...manifestFiles.files], ...common });
      manifest.value = "";
      manifestFiles.value = "";
    }
  });
  return { form, setEnabled: (enabled) => button.toggleAttribute("aria-disabled", !enabled) };
}

function jobsTable(jobs) {
  if (jobs.length === 0) return el("p", { class: "muted" }, "No jobs yet.");
  return el(
    "div",
    { class: "table-scroll" },
    el(
      "table",
      { class: "table table--compact" },
      el("caption", { class: "visually-hidden" }, "Latest ingest jobs"),
      el("thead", {}, el("tr", {}, ["File", "Dataset", "State", "Calls stored", "Submitted", "Problem"].map((h) => el("th", { scope: "col" }, h)))),
      el(
        "tbody",
        {},
        jobs.map((job) =>
          el(
            "tr",
            { dataset: { job: job.id } },
            el("th", { scope: "row" }, job.source),
            el("td", {}, job.dataset_id),
            el("td", {}, el("span", { class: `state state--${job.state}` }, job.state)),
            el("td", { class: "num" }, int(job.counts?.calls_stored ?? 0)),
            el("td", {}, dateTime(job.created_at)),
            el("td", {}, job.error ? `${[job.error.file, job.error.line ? `line ${job.error.line}` : null].filter(Boolean).join(", ")}: ${job.error.message}` : ""),
          ),
        ),
      ),
    ),
  );
}

export const uploadPage = {
  title: "Upload",
  section: "upload",
  mount(outlet, context) {
    const { signal } = context;
    document.title = "Upload · cnvbeacon";
    const list = el("ol", { class: "submissions", "aria-live": "polite" }, el("li", { class: "muted" }, "Nothing submitted from this page yet."));
    const tracker = createTracker(list, (job) => {
      announce(`${job.source}: ${job.state}`);
      refreshRecent();
    });
    const connection = el("p", { class: "connection", role: "status" }, "Connecting to live progress…");
    const recent = el("div", {}, loading("Reading the latest jobs…"));
    const { form, setEnabled } = submissionForm((submission) => send(submission));
    outlet.append(
      el("h1", {}, "Upload data"),
      el("p", { class: "lead" }, "For administrators: add DRAGEN CNV VCFs to a dataset. Each file becomes an ingest job; its progress shows below as it happens. Anyone can follow the jobs; submitting needs the admin token."),
      el("section", { class: "panel", "aria-labelledby": "token-title" }, el("h2", { id: "token-title" }, "1. Admin token"), tokenForm(setEnabled)),
      el("section", { class: "panel", "aria-labelledby": "submit-title" }, el("h2", { id: "submit-title" }, "2. Submit"), form),
      el("section", { class: "panel", "aria-labelledby": "progress-title" }, el("div", { class: "panel__head" }, el("h2", { id: "progress-title" }, "3. Progress"), connection), list),
      el("section", { class: "panel", "aria-labelledby": "recent-title" }, el("h2", { id: "recent-title" }, "Latest jobs"), recent),
    );

    let refreshTimer = 0;
    const refreshRecent = () => {
      window.clearTimeout(refreshTimer);
      refreshTimer = window.setTimeout(async () => {
        try {
          replace(recent, jobsTable((await recentJobs(15, signal)).jobs));
        } catch (error) {
          if (!isAbort(error)) replace(recent, el("p", { class: "muted" }, describeError(error)));
        }
      }, 300);
    };
    refreshRecent();

    followEvents(
      (event) => tracker.event(event),
      (open) => {
        connection.textContent = open ? "● Live" : "Reconnecting to live progress…";
        connection.classList.toggle("connection--live", open);
      },
      signal,
    );

    const poll = window.setInterval(async () => {
      for (const id of tracker.unfinished()) {
        try {
          tracker.job(await getJob(id, signal));
        } catch {
          // the next poll or event will tell
        }
      }
    }, POLL_MS);
    signal.addEventListener("abort", () => {
      window.clearInterval(poll);
      window.clearTimeout(refreshTimer);
    });

    async function send(submission) {
      const query = { dataset: submission.dataset, assembly: submission.assembly };
      const uploads =
        submission.mode === "files"
          ? submission.files.map((file) => ({ title: file.name, files: file.name, url: apiUrl("/api/ingest/jobs", { ...query, sample: submission.sample }), parts: [["file", file]] }))
          : [{ title: `Batch: ${submission.manifest.name}`, files: `${submission.files.length + 1} files`, url: apiUrl("/api/ingest/batches", query), parts: [["manifest", submission.manifest], ...submission.files.map((f) => ["files", f])] }];
      for (const upload of uploads) {
        const card = tracker.start(upload.title, upload.files);
        const body = new FormData();
        for (const [name, file] of upload.parts) body.append(name, file, file.name);
        try {
          const answer = await submit(upload.url, body, getToken(), card.uploadProgress, signal);
          const jobs = answer.jobs ?? [answer];
          card.accepted(answer.batch_id ?? null, jobs, jobs.length);
          for (const job of jobs) getJob(job.id, signal).then(tracker.job, () => {});
          refreshRecent();
        } catch (error) {
          if (isAbort(error)) return;
          card.rejected(describeError(error));
        }
      }
    }
    return {};
  },
};
