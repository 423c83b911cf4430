// History of finished episodes, and the player: chapters that seek, a transcript that follows.

import { api } from "./api.js";
import { announce, citation, clock, h, kindLabel, stageLabel, toast, when } from "./ui.js";

export class History {
  constructor({ onPlay, onRetried }) {
    this.list = document.getElementById("history-list");
    this.empty = document.getElementById("history-empty");
    this.onPlay = onPlay;
    this.onRetried = onRetried;
  }

  async load() {
    const page = await api("/api/podcasts?view=history&limit=50");
    this.list.replaceChildren(...page.podcasts.map((p) => this.item(p)));
    this.updateEmpty();
  }

  clear() {
    this.list.replaceChildren();
    this.updateEmpty();
  }

  /** Add or replace one episode at the top (it just finished). */
  upsert(podcast) {
    this.remove(podcast.id);
    this.list.prepend(this.item(podcast));
    this.updateEmpty();
  }

  remove(id) {
    const old = this.list.querySelector(`[data-podcast-id="${CSS.escape(id)}"]`);
    if (old) old.remove();
    this.updateEmpty();
  }

  updateEmpty() {
    this.empty.hidden = this.list.children.length > 0;
  }

  item(p) {
    const name = p.title || kindLabel(p.type);
    const facts = [kindLabel(p.type), p.duration_seconds ? clock(p.duration_seconds) : null, when(p.finished_at)]
      .filter(Boolean).join(" · ");
    const node = h("li", { class: "episode", dataset: { podcastId: p.id, status: p.status } },
      h("h3", {}, name, " ", h("span", { class: "badge" }, p.status)),
      h("p", { class: "meta" }, facts),
      p.bills.length ? h("p", { class: "meta" }, "Bills: ", p.bills.map(citation).join(", ")) : null);
    if (p.status === "completed") {
      node.append(h("div", { class: "button-row" },
        h("button", { type: "button", "aria-label": `Play ${name}`, onclick: () => this.onPlay(p.id) }, "Play"),
        p.audio_url ? h("a", { href: p.audio_url, download: "", class: "download" }, "Download MP3") : null));
    } else if (p.status === "failed") {
      const error = p.error || {};
      const where = error.stage ? ` while ${stageLabel(error.stage).toLowerCase()}` : "";
      node.append(
        h("p", { class: "reason" }, `Failed${where}: ${error.message || "something went wrong"}`),
        h("div", { class: "button-row" },
          h("button", { type: "button", "aria-label": `Retry ${name}`, onclick: (e) => this.retry(p, e.currentTarget) }, "Retry")));
    } else if (p.status === "cancelled") {
      node.append(h("p", { class: "meta" }, "Cancelled before it was finished."));
    }
    return node;
  }

  async retry(podcast, button) {
    button.disabled = true;
    try {
      const again = await api(`/api/podcasts/${podcast.id}/retry`, { method: "POST" });
      this.remove(podcast.id);
      this.onRetried(again);
    } catch (err) {
      button.disabled = false;
      toast(err.message, { kind: "error" });
    }
  }
}

export class Player {
  constructor() {
    this.section = document.getElementById("player");
    this.audio = document.getElementById("audio");
    this.chapters = document.getElementById("chapters");
    this.transcript = document.getElementById("transcript");
    this.podcast = null;
    this.audio.addEventListener("timeupdate", () => this.markChapter());
  }

  /** Load an episode with freshly signed links (they expire), and show it. */
  async open(id) {
    const p = await api(`/api/podcasts/${id}`);
    this.podcast = p;
    const name = p.title || kindLabel(p.type);
    this.section.hidden = false;
    document.getElementById("player-episode").textContent = name;
    document.getElementById("player-meta").textContent =
      `${kindLabel(p.type)} · ${clock(p.duration_seconds)} · ${when(p.finished_at)}`;
    document.getElementById("player-bills").textContent =
      p.bills.length ? `Bills covered: ${p.bills.map(citation).join(", ")}` : "";
    document.getElementById("player-downloads").replaceChildren(
      h("a", { href: p.audio_url, download: "" }, "Download MP3"),
      h("a", { href: p.transcript_url, download: "" }, "Transcript (WebVTT)"),
      h("a", { href: p.chapters_url, download: "" }, "Chapters (JSON)"));
    this.audio.setAttribute("aria-label", `Audio of ${name}`);
    this.loadMedia(p);
    this.renderChapters(p.chapters);
    this.section.scrollIntoView({ block: "start" });
    document.getElementById("player-title").focus({ preventScroll: true });
    announce(`Loaded ${name}.`);
  }

  close() {
    this.audio.pause();
    this.audio.removeAttribute("src");
    for (const old of this.audio.querySelectorAll("track")) old.remove();
    this.audio.load();
    this.section.hidden = true;
    this.podcast = null;
  }

  loadMedia(p) {
    for (const old of this.audio.querySelectorAll("track")) old.remove();
    this.transcript.replaceChildren();
    this.audio.src = p.audio_url;
    const track = h("track", { kind: "captions", srclang: "en", label: "Transcript", src: p.transcript_url, default: true });
    track.addEventListener("load", () => this.renderTranscript(track.track));
    track.addEventListener("error", () => {
      this.transcript.replaceChildren(h("li", {}, "The transcript could not be loaded."));
    });
    this.audio.append(track);
    // Hidden: cues load and fire cuechange, and the page shows them its own way.
    track.track.mode = "hidden";
    track.track.addEventListener("cuechange", () => this.markCue(track.track));
    this.audio.load();
  }

  renderChapters(chapters) {
    this.chapters.replaceChildren(...chapters.map((chapter, index) =>
      h("li", { dataset: { start: chapter.start } },
        h("button", {
          type: "button",
          class: "linklike",
          "aria-label": `Chapter ${index + 1}: ${chapter.title}, at ${clock(chapter.start)}`,
          onclick: () => this.seek(chapter.start),
        }, `${chapter.title} `, h("span", { class: "time" }, clock(chapter.start))))));
  }

  renderTranscript(textTrack) {
    const cues = Array.from(textTrack.cues || []);
    this.transcript.replaceChildren(...cues.map((cue) => {
      const speaker = cueSpeaker(cue.text);
      const text = cue.getCueAsHTML().textContent.replace(/\s+/g, " ").trim();
      return h("li", { dataset: { start: cue.startTime, end: cue.endTime } },
        h("button", {
          type: "button",
          class: "linklike time",
          "aria-label": `Play from ${clock(cue.startTime)}`,
          onclick: () => this.seek(cue.startTime),
        }, clock(cue.startTime)),
        speaker ? h("span", { class: "speaker" }, `${speaker}:`) : null,
        text);
    }));
    this.markCue(textTrack);
  }

  seek(seconds) {
    this.audio.currentTime = seconds;
    this.audio.play().catch(() => {
      // Playback may need another gesture on some devices; the position is set regardless.
    });
  }

  markCue(textTrack) {
    const active = textTrack.activeCues && textTrack.activeCues.length
      ? textTrack.activeCues[textTrack.activeCues.length - 1] : null;
    let current = null;
    for (const item of this.transcript.children) {
      if (active !== null && Number(item.dataset.start) === active.startTime) {
        item.setAttribute("aria-current", "true");
        current = item;
      } else {
        item.removeAttribute("aria-current");
      }
    }
    if (current) {
      // Scroll the transcript box, not the page.
      const box = this.transcript;
      const top = current.offsetTop - box.offsetTop;
      if (top < box.scrollTop || top > box.scrollTop + box.clientHeight - current.offsetHeight) {
        box.scrollTop = top - box.clientHeight / 3;
      }
    }
  }

  markChapter() {
    const now = this.audio.currentTime;
    let current = null;
    for (const item of this.chapters.children) {
      if (Number(item.dataset.start) <= now + 0.05) current = item;
    }
    for (const item of this.chapters.children) {
      if (item === current) item.setAttribute("aria-current", "true");
      else item.removeAttribute("aria-current");
    }
  }
}

/** The speaker of a WebVTT cue with a voice span: "<v Maya>Hello</v>" → "Maya". */
export function cueSpeaker(raw) {
  const voice = raw.match(/<v(?:\.[^\s>]*)?\s+([^>]+)>/);
  return voice ? voice[1].trim() : null;
}
