// Requests to our public API (/api/...): JSON in, errors as ApiError with a message a
// person can act on (the Beacon error's errorMessage, or the service's message).

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.name = "ApiError";
    this.status = status;
  }
}

/** A URL with the non-empty parameters as its query string. */
export function apiUrl(path, params = {}) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") query.set(name, String(value));
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

export function isAbort(error) {
  return error?.name === "AbortError";
}

function messageOf(body, response) {
  const error = body?.error;
  const message = error?.errorMessage ?? error?.message;
  if (message) return String(message).replace(/ \(parameter '[^']*'\)$/, "");
  if (response.status === 404) return "Not found.";
  if (response.status >= 500) return "The server had a problem answering. Please try again.";
  return `The request failed (${response.status} ${response.statusText}).`;
}

async function send(url, options) {
  try {
    return await fetch(url, options);
  } catch (error) {
    if (isAbort(error)) throw error;
    throw new ApiError(0, "The server could not be reached. Check the connection and try again.");
  }
}

/** GET (or another method, through options) a JSON document. */
export async function getJson(url, options = {}) {
  const headers = { Accept: "application/json", ...(options.headers ?? {}) };
  const response = await send(url, { ...options, headers });
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!response.ok) throw new ApiError(response.status, messageOf(body, response));
  if (body === null) throw new ApiError(response.status, "The server's answer was not JSON.");
  return body;
}

/** The error message of a failed URL (for images, whose load errors carry none). */
export async function errorOf(url, signal) {
  try {
    await getJson(url, { signal });
    return null;
  } catch (error) {
    if (isAbort(error)) throw error;
    return error instanceof ApiError ? error.message : String(error);
  }
}
