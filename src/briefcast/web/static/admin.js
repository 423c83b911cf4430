// The operator dashboard: one snapshot from /api/admin/dashboard, refreshed every few seconds.

import { api, ApiError, credentials, takeKeyFromLocation } from "./api.js";
import { announce, clock, h, kindLabel, stageLabel, toast, when } from "./ui.js";

const REFRESH_MS = 3000;
const $ = (id) => document.getElementById(id);
let timer = null;

function show(id) {
  for (const part of ["sign-in", "forbidden", "dashboard"]) $(part).hidden = part !== id;
}

function showSignIn(error = "") {
  stop();
  show("sign-in");
  $("account").hidden = true;
  $("sign-in-error").textContent = error;
  $("api-key").focus();
}

function stop() {
  clearTimeout(timer);
  timer = null;
}

async function start() {
  let me;
  try {
    me = await api("/api/me");
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) credentials.forget();
    showSignIn(err.status === 401 ? "That API key was not accepted." : err.message);
    return;
  }
  $("user-name").textContent = me.name;
  $("account").hidden = false;
  await refresh();
}

/** Read a snapshot and draw it; a non-operator sees a clear refusal and no data. */
async function refresh() {
  stop();
  try {
    const snapshot = await api("/api/admin/dashboard");
    show("dashboard");
    draw(snapshot);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 403 || err.status === 404)) {
      show("forbidden");
      $("forbidden-text").textContent =
        `The operator dashboard is only for operators, and ${$("user-name").textContent || "this account"} is not one. (${err.message})`;
      return;
    }
    if (err instanceof ApiError && err.status === 401) {
      credentials.forget();
      showSignIn("That API key is no longer valid.");
      return;
    }
    $("refreshed").textContent = `Could not refresh: ${err.message}`;
  }
  if (!document.hidden) timer = setTimeout(refresh, REFRESH_MS);
}

function draw(s) {
  $("refreshed").textContent = `Last update ${new Date(s.at).toLocaleTimeString()}.`;
  $("stat-waiting").textContent = s.queue.waiting;
  $("stat-held").textContent = s.queue.held;
  $("stat-oldest").textContent = s.queue.oldest_waiting_seconds === null ? "–" : clock(s.queue.oldest_waiting_seconds);
  $("stat-running").textContent = s.running.length;
  $("stat-completed").textContent = s.throughput.completed;
  $("stat-failed").textContent = s.throughput.failed;
  rows("running", s.running, (job) => [
    episodeCell(job.podcast_id, job.type),
    job.user,
    h("span", {}, stageLabel(job.stage), " ",
      h("progress", { max: 100, value: Math.round(job.progress * 100), "aria-label": `Progress of ${stageLabel(job.stage).toLowerCase()}` }),
      job.retry_reason ? h("span", { class: "meta" }, ` retrying: ${job.retry_reason}`) : null),
    job.worker || "–",
    num(clock(job.running_seconds)),
    num(job.attempt),
  ], "Nothing in production.");
  rows("failures", s.failures, (f) => [
    when(f.finished_at),
    episodeCell(f.podcast_id, f.type),
    f.user,
    stageLabel(f.stage),
    h("span", {}, f.message || "–", f.code ? h("span", { class: "meta" }, ` (${f.code})`) : null),
    h("button", {
      type: "button",
      class: "secondary",
      "aria-label": `Retry ${f.user}'s ${kindLabel(f.type).toLowerCase()} ${f.podcast_id.slice(0, 8)}`,
      onclick: (event) => retry(f, event.currentTarget),
    }, "Retry"),
  ], "No failures.");
  rows("stages", s.stages, (st) => [stageLabel(st.stage), num(st.p50.toFixed(2)), num(st.p95.toFixed(2)), num(st.samples)],
    "No completed episodes yet.");
  const t = s.throughput;
  $("throughput-text").textContent =
    `${t.completed} completed (${t.per_minute.toFixed(2)} a minute), ${t.failed} failed, ${t.cancelled} cancelled in the last hour; bars show completions per ${Math.round(t.window_seconds / 60 / t.completed_by_bin.length)} minutes, oldest first.`;
  const top = Math.max(1, ...t.completed_by_bin);
  $("throughput-bars").replaceChildren(...t.completed_by_bin.map((n) => {
    const bar = h("span", { title: `${n} completed` });
    bar.style.height = `${(n / top) * 100}%`; // through the CSSOM: the page's CSP forbids style attributes
    return bar;
  }));
  rows("workers", s.workers, (w) => [
    w.executor_id,
    `${w.hostname} (pid ${w.pid})`,
    h("span", { class: `state-${w.state}` }, w.state),
    num(`${clock(w.heartbeat_age_seconds)} ago`),
    num(`${w.busy} / ${w.slots}`),
    w.version,
  ], "No worker has started yet.");
  rows("tts", [["Last 24 hours", s.tts_last_day], ["All time", s.tts_all_time]], ([label, u]) => [
    label,
    num(u.synthesized.toLocaleString()),
    num(u.cached.toLocaleString()),
    num(u.cache_share === null ? "–" : `${Math.round(u.cache_share * 100)}%`),
  ], "");
}

function rows(tableId, items, cells, emptyText) {
  const body = $(tableId).querySelector("tbody");
  const columns = $(tableId).querySelectorAll("thead th").length;
  if (!items.length) {
    body.replaceChildren(h("tr", {}, h("td", { colspan: columns, class: "hint" }, emptyText)));
    return;
  }
  body.replaceChildren(...items.map((item) => h("tr", {}, cells(item).map((c) =>
    c instanceof Node && c.tagName === "TD" ? c : h("td", {}, c)))));
}

function num(value) {
  return h("td", { class: "num" }, value);
}

function episodeCell(id, type) {
  return h("span", { title: id, dataset: { podcastId: id } }, `${kindLabel(type)} `, h("code", {}, id.slice(0, 8)));
}

async function retry(failure, button) {
  button.disabled = true;
  try {
    await api(`/api/admin/podcasts/${failure.podcast_id}/retry`, { method: "POST" });
    announce(`Retrying ${failure.user}'s ${kindLabel(failure.type).toLowerCase()}.`);
    toast(`Queued ${failure.user}'s ${kindLabel(failure.type).toLowerCase()} again.`, { seconds: 4 });
  } catch (err) {
    button.disabled = false;
    toast(err.message, { kind: "error" });
  }
  await refresh();
}

$("sign-in-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const key = $("api-key").value.trim();
  if (!key) return;
  credentials.save(key);
  $("api-key").value = "";
  start();
});
$("sign-out").addEventListener("click", () => {
  credentials.forget();
  showSignIn();
  announce("Signed out.");
});
document.addEventListener("visibilitychange", () => {
  if (!document.hidden && !$("dashboard").hidden) refresh();
});

takeKeyFromLocation();
if (credentials.key) start();
else showSignIn();
