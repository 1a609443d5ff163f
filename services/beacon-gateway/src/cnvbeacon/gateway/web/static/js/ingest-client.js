// Submissions to the ingest API through the gateway, with upload progress (XMLHttpRequest,
// as fetch reports none), and its live job events (Server-Sent Events).

import { ApiError, getJson } from "./api.js";

function messageOf(xhr) {
  try {
    const body = JSON.parse(xhr.responseText);
    const error = body?.error;
    const message = error?.errorMessage ?? error?.message;
    if (message) return String(message).replace(/ \(parameter '[^']*'\)$/, "");
  } catch {
    // not JSON
  }
  if (xhr.status === 0) return "The server could not be reached.";
  return `The submission failed (${xhr.status} ${xhr.statusText}).`;
}

/** POST a FormData with the admin token; resolves to the JSON answer. */
export function submit(url, form, token, onProgress, signal) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.setRequestHeader("Authorization", `Bearer ${token}`);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener("load", () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve(JSON.parse(xhr.responseText));
        } catch {
          reject(new ApiError(xhr.status, "The server's answer was not JSON."));
        }
      } else {
        reject(new ApiError(xhr.status, messageOf(xhr)));
      }
    });
    xhr.addEventListener("error", () => reject(new ApiError(0, "The upload was interrupted: the server could not be reached.")));
    xhr.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
    signal?.addEventListener("abort", () => xhr.abort());
    xhr.send(form);
  });
}

export function getJob(id, signal) {
  return getJson(`/api/ingest/jobs/${encodeURIComponent(id)}`, { signal });
}

export function recentJobs(limit, signal) {
  return getJson(`/api/ingest/jobs?limit=${limit}`, { signal });
}

/** Job events as they happen: onEvent({job_id, batch_id, state, counts, fraction?, error?}). */
export function followEvents(onEvent, onConnection, signal) {
  const source = new EventSource("/api/ingest/events");
  source.addEventListener("open", () => onConnection(true));
  source.addEventListener("error", () => onConnection(source.readyState === EventSource.OPEN));
  source.addEventListener("job", (message) => {
    try {
      onEvent(JSON.parse(message.data));
    } catch {
      // a malformed event is skipped
    }
  });
  signal.addEventListener("abort", () => source.close());
  return source;
}
