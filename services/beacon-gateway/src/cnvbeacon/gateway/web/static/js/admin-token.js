// The admin token for submissions: typed into the page, kept for this browser tab only
// (sessionStorage), sent as Authorization: Bearer.

const KEY = "cnvbeacon.adminToken";

export function getToken() {
  try {
    return window.sessionStorage.getItem(KEY) ?? "";
  } catch {
    return "";
  }
}

export function setToken(token) {
  try {
    if (token) window.sessionStorage.setItem(KEY, token);
    else window.sessionStorage.removeItem(KEY);
  } catch {
    // Storage may be disabled: the token then lasts until the page is left.
  }
}
