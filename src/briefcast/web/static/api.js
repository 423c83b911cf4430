// The JSON API, called with the API key kept in this browser.

const STORAGE_KEY = "briefcast.apiKey";

export const credentials = {
  get key() {
    return localStorage.getItem(STORAGE_KEY);
  },
  save(key) {
    localStorage.setItem(STORAGE_KEY, key);
  },
  forget() {
    localStorage.removeItem(STORAGE_KEY);
  },
};

/** An error answer of the API: `{"error": {"code", "message"}}` plus the HTTP status. */
export class ApiError extends Error {
  constructor(status, code, message, retryAfter) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

/** Call the API; resolves with the parsed JSON (null for 204), rejects with ApiError. */
export async function api(path, { method = "GET", body } = {}) {
  const headers = { Accept: "application/json" };
  const key = credentials.key;
  if (key) headers.Authorization = `Bearer ${key}`;
  const init = { method, headers };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (err) {
    throw new ApiError(0, "network", "The server cannot be reached. Check your connection.");
  }
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const error = data && data.error ? data.error : {};
    throw new ApiError(
      response.status,
      error.code || "http_error",
      error.message || `The server answered ${response.status}.`,
      Number(response.headers.get("Retry-After")) || null,
    );
  }
  return data;
}

/**
 * A sign-in link (`/#key=<api key>`) stores the key and removes it from the address bar,
 * so it never stays in the history or a bookmark. Returns whether a key was found.
 */
export function takeKeyFromLocation() {
  const match = location.hash.match(/^#key=([^&]+)/);
  if (!match) return false;
  credentials.save(decodeURIComponent(match[1]));
  history.replaceState(null, "", location.pathname + location.search);
  return true;
}
