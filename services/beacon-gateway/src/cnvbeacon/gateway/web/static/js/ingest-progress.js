// Live progress of submissions: a card per submission (a file, or a batch of a manifest)
// with a progress bar per job and one for the batch, fed by job events (and by polling
// the jobs while unfinished, so nothing is missed if the event stream drops).

import { el, replace } from "./dom.js";
import { int } from "./format.js";
import { progressBar, setProgress } from "./status.js";

const FINISHED = new Set(["succeeded", "failed"]);
const STATE_WORDS = { uploading: "uploading", queued: "queued", running: "ingesting", succeeded: "done", failed: "failed" };

function jobProgress(job) {
  if (job.state === "succeeded") return 1;
  if (job.state === "uploading" || job.state === "queued") return 0;
  return job.fraction ?? null;
}

function countsText(job) {
  const c = job.counts ?? {};
  if (!c.records_read && !c.calls_stored) return "";
  const skipped = c.records_skipped ? `, ${int(c.records_skipped)} skipped` : "";
  return `${int(c.records_read)} records read, ${int(c.calls_stored)} calls stored${skipped}`;
}

function errorText(error) {
  if (!error) return "";
  const where = [error.file, error.line ? `line ${int(error.line)}` : null].filter(Boolean).join(", ");
  return where ? `${where}: ${error.message}` : error.message;
}

export function createTracker(list, onFinished = () => {}) {
  const jobs = new Map(); // id -> {job, node}
  const cards = []; // {batchId, jobIds, bar, summary, rows, node}
  const pending = new Map(); // events of jobs not known yet (they can beat the POST's answer)

  function jobRow(job) {
    const state = el("span", { class: "state" });
    const bar = progressBar(`Progress of ${job.source}`, 0);
    const detail = el("p", { class: "job__detail" });
    const problem = el("div", { class: "job__error", role: "alert", hidden: true });
    const node = el("li", { class: "job", dataset: { job: job.id ?? "" } }, el("div", { class: "job__head" }, el("span", { class: "job__name" }, job.source), state), bar, detail, problem);
    return { node, state, bar, detail, problem };
  }

  function paint(entry) {
    const { job, view } = entry;
    view.node.dataset.state = job.state;
    view.state.textContent = job.state === "uploading" ? `uploading ${Math.round((job.upload ?? 0) * 100)}%` : STATE_WORDS[job.state] ?? job.state;
    view.state.className = `state state--${job.state}`;
    setProgress(view.bar, job.state === "uploading" ? job.upload ?? 0 : jobProgress(job));
    view.bar.classList.toggle("progress--failed", job.state === "failed");
    view.detail.textContent = [countsText(job), job.state === "succeeded" && job.seconds ? `in ${job.seconds.toFixed(1)} s` : ""].filter(Boolean).join(" ");
    view.problem.hidden = !job.error;
    replace(view.problem, job.error ? el("p", {}, el("strong", {}, "Error: "), errorText(job.error)) : null);
  }

  function paintCard(card) {
    const members = card.jobIds.map((id) => jobs.get(id)?.job).filter(Boolean);
    const done = members.filter((j) => FINISHED.has(j.state)).length;
    const failed = members.filter((j) => j.state === "failed").length;
    const total = card.size ?? members.length;
    const values = members.map((j) => (FINISHED.has(j.state) ? 1 : jobProgress(j) ?? 0));
    setProgress(card.bar, total ? values.reduce((a, b) => a + b, 0) / total : 0);
    card.bar.classList.toggle("progress--failed", failed > 0 && done === total);
    card.summary.textContent = `${int(done)} of ${int(total)} file${total === 1 ? "" : "s"} finished${failed ? `, ${int(failed)} failed` : ""}`;
    card.node.dataset.finished = String(total > 0 && done === total);
  }

  function cardOf(jobId) {
    return cards.find((c) => c.jobIds.includes(jobId));
  }

  function update(id, changes) {
    const entry = jobs.get(id);
    if (!entry) return;
    if (FINISHED.has(entry.job.state) && !FINISHED.has(changes.state ?? entry.job.state)) return;
    const wasFinished = FINISHED.has(entry.job.state);
    entry.job = { ...entry.job, ...changes };
    paint(entry);
    if (!wasFinished && FINISHED.has(entry.job.state)) onFinished(entry.job);
    const card = cardOf(id);
    if (card) paintCard(card);
  }

  function addJob(card, job) {
    const view = jobRow(job);
    const entry = { job, view };
    jobs.set(job.id, entry);
    card.jobIds.push(job.id);
    card.rows.append(view.node);
    paint(entry);
    const early = pending.get(job.id);
    if (early) {
      pending.delete(job.id);
      update(job.id, early);
    }
    paintCard(card);
  }

  return {
    /** A card for a submission about to be uploaded; returns its handle. */
    start(title, files) {
      const bar = progressBar(`Progress of ${title}`, 0);
      const summary = el("p", { class: "submission__summary" });
      const rows = el("ul", { class: "jobs" });
      const problem = el("div", { class: "submission__error" });
      const node = el("li", { class: "submission" }, el("h3", {}, title), bar, summary, problem, rows);
      list.querySelector(":scope > .muted")?.remove();
      list.prepend(node);
      const card = { batchId: null, jobIds: [], bar, summary, rows, node, size: null };
      cards.push(card);
      const uploading = el("p", { class: "muted" }, `Uploading ${files}…`);
      rows.append(uploading);
      return {
        uploadProgress(fraction) {
          uploading.textContent = `Uploading ${files}: ${Math.round(fraction * 100)}%`;
          setProgress(bar, fraction * 0.05);
        },
        accepted(batchId, acceptedJobs, size) {
          uploading.remove();
          card.batchId = batchId;
          card.size = size ?? acceptedJobs.length;
          for (const job of acceptedJobs) addJob(card, job);
          paintCard(card);
        },
        rejected(message) {
          uploading.remove();
          node.dataset.finished = "true";
          bar.classList.add("progress--failed");
          setProgress(bar, 1);
          summary.textContent = "Not accepted";
          const text = message.charAt(0).toUpperCase() + message.slice(1);
          replace(problem, el("div", { class: "notice notice--error", role: "alert" }, el("p", {}, text)));
        },
      };
    },
    /** A job event from the stream. */
    event(event) {
      const changes = { state: event.state, counts: event.counts, fraction: event.fraction, error: event.error, seconds: event.seconds };
      for (const key of Object.keys(changes)) if (changes[key] === undefined) delete changes[key];
      if (jobs.has(event.job_id)) {
        update(event.job_id, changes);
        return;
      }
      const card = event.batch_id ? cards.find((c) => c.batchId === event.batch_id) : null;
      if (card) addJob(card, { id: event.job_id, source: event.source, ...changes });
      else pending.set(event.job_id, { ...(pending.get(event.job_id) ?? {}), ...changes });
    },
    /** The stored state of a job (polling). */
    job(job) {
      if (jobs.has(job.id)) update(job.id, { state: job.state, counts: job.counts, error: job.error });
    },
    unfinished() {
      return [...jobs.values()].filter((e) => !FINISHED.has(e.job.state)).map((e) => e.job.id);
    },
  };
}
