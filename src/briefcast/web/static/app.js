// The listener's page: sign in, generate and follow episodes live, listen, bills, settings.

import { api, ApiError, credentials, takeKeyFromLocation } from "./api.js";
import { BillBrowser } from "./bills.js";
import { LiveBoard } from "./live.js";
import { History, Player } from "./player.js";
import { Settings } from "./settings.js";
import { announce, kindLabel, toast } from "./ui.js";

const $ = (id) => document.getElementById(id);

const history_ = new History({
  onPlay: (id) => player.open(id).catch((err) => toast(err.message, { kind: "error" })),
  onRetried: (podcast) => {
    board.track(podcast);
    showMessage(podcast.message || `${kindLabel(podcast.type)} queued again.`);
  },
});
const player = new Player();
const bills = new BillBrowser();
const settings = new Settings();
const board = new LiveBoard({ onFinished: finished, onActive: (id) => history_.remove(id) });

function showMessage(text) {
  $("generate-message").textContent = text;
}

async function signIn() {
  let me;
  try {
    me = await api("/api/me");
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      credentials.forget();
      showSignIn("That API key was not accepted. Check it and try again.");
    } else {
      showSignIn(err.message);
    }
    return;
  }
  $("user-name").textContent = me.name;
  $("admin-link").hidden = !me.admin;
  $("sign-in").hidden = true;
  $("app").hidden = false;
  $("nav").hidden = false;
  $("account").hidden = false;
  board.connect(credentials.key);
  await Promise.all([
    history_.load(),
    bills.search(""),
    settings.load(me),
  ]).catch((err) => toast(err.message, { kind: "error" }));
  announce(`Signed in as ${me.name}.`);
}

function showSignIn(error = "") {
  $("app").hidden = true;
  $("nav").hidden = true;
  $("account").hidden = true;
  $("sign-in").hidden = false;
  $("sign-in-error").textContent = error;
  $("api-key").value = "";
  $("api-key").focus();
}

function signOut() {
  credentials.forget();
  board.disconnect();
  player.close();
  history_.clear();
  bills.clear();
  settings.clear();
  showMessage("");
  showSignIn();
  announce("Signed out.");
}

async function generate(type, button) {
  for (const b of document.querySelectorAll("[data-generate]")) b.disabled = true;
  try {
    const podcast = await board.expect(api("/api/podcasts", { method: "POST", body: { type } }));
    showMessage(podcast.message);
    announce(podcast.message);
    if (podcast.status === "completed") {
      history_.upsert(podcast);
    } else {
      board.track(podcast);
    }
  } catch (err) {
    const wait = err.retryAfter ? ` Try again in about ${err.retryAfter} seconds.` : "";
    showMessage(`${err.message}${err.message.endsWith(".") ? "" : "."}${wait}`);
  } finally {
    for (const b of document.querySelectorAll("[data-generate]")) b.disabled = false;
    button.focus();
  }
}

/** An episode completed, failed or was cancelled: tell the listener, move it to history. */
async function finished(id, type, data) {
  let podcast;
  try {
    podcast = await api(`/api/podcasts/${id}`);
  } catch (err) {
    return;
  }
  history_.upsert(podcast);
  const name = podcast.title || kindLabel(podcast.type);
  if (type === "completed") {
    toast(`Your ${kindLabel(podcast.type).toLowerCase()} is ready: ${name}.`);
    notify(`Your ${kindLabel(podcast.type).toLowerCase()} is ready`, name, id);
  } else if (type === "failed") {
    const reason = (data.error && data.error.message) || "something went wrong";
    toast(`Your ${kindLabel(podcast.type).toLowerCase()} could not be made: ${reason}.`, { kind: "error" });
    notify(`Your ${kindLabel(podcast.type).toLowerCase()} could not be made`, reason, id);
  } else {
    toast(`${kindLabel(podcast.type)} cancelled.`);
  }
}

/** A system notification, when the listener allowed them (same tag as a web push: shown once). */
function notify(title, body, id) {
  if (!("Notification" in window) || Notification.permission !== "granted") return;
  try {
    const note = new Notification(title, { body, tag: id, icon: "/static/icon.svg" });
    note.addEventListener("click", () => {
      window.focus();
      document.querySelector(`#history-list [data-podcast-id="${CSS.escape(id)}"]`)?.scrollIntoView();
    });
  } catch (err) {
    // Some mobile browsers allow notifications only from a service worker; the toast was shown.
  }
}

$("sign-in-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const key = $("api-key").value.trim();
  if (!key) {
    $("sign-in-error").textContent = "Enter your API key.";
    return;
  }
  credentials.save(key);
  signIn();
});
$("sign-out").addEventListener("click", signOut);
for (const button of document.querySelectorAll("[data-generate]")) {
  button.addEventListener("click", () => generate(button.dataset.generate, button));
}
for (const heading of ["generate-title", "player-title"]) $(heading).tabIndex = -1;

window.addEventListener("hashchange", () => {
  if (takeKeyFromLocation()) signIn();
});

takeKeyFromLocation();
if (credentials.key) signIn();
else showSignIn();
