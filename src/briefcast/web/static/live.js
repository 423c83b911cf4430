// Live cards for episodes in production, driven only by the listener's event stream.
//
// One EventSource on /api/events carries every change to the listener's episodes:
// queued, position, stage, retry, completed, failed, cancelled. Nothing here polls;
// the only timer counts the ETA down between events.

import { api, ApiError } from "./api.js";
import { announce, describeWait, h, kindLabel, STAGES, stageLabel, toast } from "./ui.js";

const EVENT_TYPES = ["queued", "position", "stage", "retry", "completed", "failed", "cancelled"];
const FINAL = new Set(["completed", "failed", "cancelled"]);

export class LiveBoard {
  /**
   * @param {object} options
   * @param {(id: string, type: string, data: object) => void} options.onFinished
   *   called once when an episode completes, fails or is cancelled.
   * @param {(id: string) => void} options.onActive
   *   called when an episode gets a card (e.g. a failed one an operator retried).
   */
  constructor({ onFinished, onActive }) {
    this.list = document.getElementById("live-cards");
    this.empty = document.getElementById("live-empty");
    this.streamState = document.getElementById("stream-state");
    this.template = document.getElementById("card-template");
    this.onFinished = onFinished;
    this.onActive = onActive;
    this.cards = new Map();
    this.source = null;
    this.ticker = null;
    this.pending = null;
    this.loading = new Map();
  }

  /** Open the stream; once it is open, show what is already in production. */
  connect(key) {
    this.disconnect();
    const source = new EventSource(`/api/events?access_token=${encodeURIComponent(key)}`);
    this.source = source;
    for (const type of EVENT_TYPES) {
      source.addEventListener(type, (event) => this.apply(type, JSON.parse(event.data)));
    }
    source.addEventListener("open", () => {
      this.streamState.textContent = "";
      this.refresh();
    });
    source.addEventListener("error", () => {
      this.streamState.textContent = source.readyState === EventSource.CLOSED
        ? "Live updates stopped. Reload the page to resume."
        : "Reconnecting to live updates…";
    });
  }

  disconnect() {
    if (this.source) this.source.close();
    this.source = null;
    clearInterval(this.ticker);
    this.ticker = null;
    for (const card of this.cards.values()) card.node.remove();
    this.cards.clear();
    this.updateEmpty();
  }

  /** Sync with the server's queue once per (re)connection: missed nothing, polls nothing. */
  async refresh() {
    try {
      const queue = await api("/api/podcasts?view=queue");
      const active = new Set(queue.podcasts.map((p) => p.id));
      for (const podcast of queue.podcasts) this.track(podcast);
      for (const id of [...this.cards.keys()]) if (!active.has(id)) this.drop(id);
    } catch (err) {
      if (err instanceof ApiError) this.streamState.textContent = err.message;
    }
  }

  /** Show or update the card of an active podcast (a PodcastOut from the API). */
  track(podcast) {
    if (FINAL.has(podcast.status)) return;
    const card = this.cards.get(podcast.id) || this.create(podcast);
    card.status = podcast.status;
    card.held = podcast.held;
    if (podcast.position !== null && podcast.position !== undefined) card.position = podcast.position;
    if (podcast.eta_seconds !== null && podcast.eta_seconds !== undefined) card.setEta(podcast.eta_seconds);
    if (podcast.stage) card.stage = podcast.stage;
    card.progress = podcast.progress || 0;
    card.retry = podcast.retry;
    card.render();
  }

  create(podcast) {
    const node = this.template.content.firstElementChild.cloneNode(true);
    const card = new Card(node, podcast);
    node.querySelector('[data-action="cancel"]').addEventListener("click", () => this.cancel(card));
    this.cards.set(podcast.id, card);
    this.list.prepend(node);
    this.onActive(podcast.id);
    this.updateEmpty();
    if (!this.ticker) this.ticker = setInterval(() => this.tick(), 1000);
    return card;
  }

  tick() {
    for (const card of this.cards.values()) card.renderEta();
  }

  /** Hold back events of unknown podcasts until this request's answer has made its card. */
  expect(request) {
    this.pending = request.catch(() => null);
    return request;
  }

  async apply(type, data) {
    const id = data.podcast_id;
    if (!this.cards.has(id) && this.pending) await this.pending;
    if (FINAL.has(type)) {
      this.drop(id);
      this.onFinished(id, type, data);
      return;
    }
    if (!this.cards.has(id)) {
      // An episode started elsewhere (another tab, a retry): read it once; what it says
      // already includes this event.
      await this.load(id);
      return;
    }
    this.cards.get(id).update(type, data);
  }

  load(id) {
    if (!this.loading.has(id)) {
      const request = api(`/api/podcasts/${id}`)
        .then((podcast) => this.track(podcast))
        .catch(() => null)
        .finally(() => this.loading.delete(id));
      this.loading.set(id, request);
    }
    return this.loading.get(id);
  }

  drop(id) {
    const card = this.cards.get(id);
    if (!card) return;
    const hadFocus = card.node.contains(document.activeElement);
    card.node.remove();
    this.cards.delete(id);
    this.updateEmpty();
    if (hadFocus) document.getElementById("generate-title").focus();
    if (!this.cards.size) {
      clearInterval(this.ticker);
      this.ticker = null;
    }
  }

  async cancel(card) {
    const button = card.node.querySelector('[data-action="cancel"]');
    button.disabled = true;
    try {
      await api(`/api/podcasts/${card.id}/cancel`, { method: "POST" });
      // The cancelled event removes the card and tells the listener.
    } catch (err) {
      button.disabled = false;
      toast(err.message, { kind: "error" });
    }
  }

  updateEmpty() {
    this.empty.hidden = this.cards.size > 0;
  }
}

class Card {
  constructor(node, podcast) {
    this.node = node;
    this.id = podcast.id;
    this.type = podcast.type;
    this.status = podcast.status;
    this.position = null;
    this.etaDeadline = null;
    this.stage = null;
    this.progress = 0;
    this.retry = null;
    this.held = false;
    const title = `${kindLabel(podcast.type)}`;
    node.dataset.podcastId = podcast.id;
    node.setAttribute("aria-label", `${title} in production`);
    node.querySelector(".card-title").textContent = title;
    const bar = node.querySelector("progress");
    bar.setAttribute("aria-label", `Progress of the ${title.toLowerCase()}`);
    node.querySelector('[data-action="cancel"]').setAttribute("aria-label", `Cancel the ${title.toLowerCase()}`);
  }

  setEta(seconds) {
    this.etaDeadline = Date.now() + seconds * 1000;
  }

  get etaSeconds() {
    return this.etaDeadline === null ? null : Math.max(0, (this.etaDeadline - Date.now()) / 1000);
  }

  update(type, data) {
    if (type === "position") {
      const moved = this.position !== null && data.position !== this.position;
      this.position = data.position;
      this.setEta(data.eta_seconds);
      if (moved) announce(`${kindLabel(this.type)}: now number ${data.position} in line.`);
    } else if (type === "stage") {
      const changed = data.stage !== this.stage;
      this.status = "processing";
      this.position = 0;
      this.stage = data.stage;
      this.progress = data.progress || 0;
      this.retry = null;
      if (changed) announce(`${kindLabel(this.type)}: ${stageLabel(data.stage).toLowerCase()}.`);
    } else if (type === "retry") {
      this.retry = data;
      announce(`${kindLabel(this.type)}: a problem while ${data.stage}; trying again.`);
    } else if (type === "queued") {
      this.status = "queued";
      this.held = Boolean(data.held);
    }
    this.render();
  }

  render() {
    const node = this.node;
    node.dataset.status = this.status;
    node.dataset.position = this.position ?? "";
    node.dataset.stage = this.stage ?? "";
    const processing = this.status === "processing";
    node.querySelector('[data-field="position"]').textContent = processing
      ? "In production"
      : this.position ? `#${this.position}${this.held ? " (after your earlier episode)" : ""}` : "Waiting";
    node.querySelector('[data-field="stage"]').textContent = processing
      ? `${stageLabel(this.stage)} (${STAGES.indexOf(this.stage) + 1} of ${STAGES.length})`
      : "Not started";
    const bar = node.querySelector("progress");
    const overall = processing ? (Math.max(0, STAGES.indexOf(this.stage)) + this.progress) / STAGES.length : 0;
    bar.value = Math.round(overall * 100);
    bar.setAttribute("aria-valuetext", processing
      ? `${stageLabel(this.stage)}, ${Math.round(this.progress * 100)}% of this stage`
      : "not started");
    const retry = node.querySelector(".card-retry");
    retry.hidden = !this.retry;
    if (this.retry) {
      const r = this.retry;
      retry.textContent = `Attempt ${r.attempt + 1} of ${r.max_attempts} after a problem while ${r.stage}: ${r.reason}. Trying again at ${new Date(r.next_attempt_at).toLocaleTimeString()}.`;
    }
    node.querySelector(".card-summary").textContent = processing
      ? "Being produced now."
      : "Waiting for its turn.";
    this.renderEta();
  }

  renderEta() {
    const eta = this.etaSeconds;
    this.node.querySelector('[data-field="eta"]').textContent =
      eta === null ? "–" : eta < 1 ? "any moment now" : describeWait(eta);
  }
}
