// Small helpers shared by the pages: building elements, announcing, toasts, formats.

/** Create an element: h("p", {class: "x", onclick: fn}, "text", child). Text is never HTML. */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/** Read a status change out to screen readers (the page's one polite live region). */
export function announce(text) {
  const region = document.getElementById("announcer");
  if (!region) return;
  region.textContent = "";
  // A fresh text node after a tick makes repeated identical messages heard again.
  setTimeout(() => { region.textContent = text; }, 30);
}

/** Show a toast for a few seconds (longer for errors); it is also announced. */
export function toast(text, { kind = "info", seconds = 8 } = {}) {
  const box = document.getElementById("toasts");
  const item = h("div", { class: "toast", role: kind === "error" ? "alert" : "status", dataset: { kind } },
    h("p", {}, text),
    h("button", { type: "button", "aria-label": "Dismiss notification", onclick: () => item.remove() }, "×"));
  box.append(item);
  setTimeout(() => item.remove(), (kind === "error" ? seconds * 2 : seconds) * 1000);
  return item;
}

/** 75.4 → "1:15"; 3723 → "1:02:03". */
export function clock(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "–";
  const total = Math.max(0, Math.round(seconds));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = String(total % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${secs}` : `${minutes}:${secs}`;
}

/** A wait as a person says it: "a few seconds", "about 40 seconds", "about 3 minutes". */
export function describeWait(seconds) {
  if (seconds === null || seconds === undefined) return "–";
  if (seconds < 10) return "a few seconds";
  if (seconds < 90) return `about ${Math.round(seconds / 5) * 5} seconds`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `about ${minutes} minutes`;
  const hours = Math.floor(minutes / 60);
  return `about ${hours} hour${hours > 1 ? "s" : ""}${minutes % 60 ? ` ${minutes % 60} minutes` : ""}`;
}

export function when(iso) {
  if (!iso) return "";
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export const STAGES = ["gathering", "scripting", "synthesizing", "mastering", "publishing", "notifying"];
const STAGE_LABELS = {
  gathering: "Gathering bills",
  scripting: "Writing the script",
  synthesizing: "Recording voices",
  mastering: "Mastering audio",
  publishing: "Publishing",
  notifying: "Notifying",
};
export function stageLabel(stage) {
  return STAGE_LABELS[stage] || stage || "–";
}

export function kindLabel(type) {
  return type === "weekly" ? "Weekly deep dive" : "Daily brief";
}

const CITATIONS = {
  hr: "H.R.", s: "S.", hjres: "H.J.Res.", sjres: "S.J.Res.",
  hconres: "H.Con.Res.", sconres: "S.Con.Res.", hres: "H.Res.", sres: "S.Res.",
};
/** "119-hr-1234" → "H.R. 1234". */
export function citation(billId) {
  const [, type, number] = String(billId).split("-");
  return CITATIONS[type] ? `${CITATIONS[type]} ${number}` : billId;
}
