// Settings: notification channels, web push through a service worker, webhooks, the feed.

import { api } from "./api.js";
import { announce, h, toast } from "./ui.js";

export class Settings {
  constructor() {
    this.form = document.getElementById("channels-form");
    this.message = document.getElementById("channels-message");
    this.pushState = document.getElementById("push-state");
    this.webhookList = document.getElementById("webhook-list");
    this.webhookForm = document.getElementById("webhook-form");
    this.webhookMessage = document.getElementById("webhook-message");
    this.secretBox = document.getElementById("webhook-secret");
    this.feed = document.getElementById("feed-url");
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.saveChannels();
    });
    this.webhookForm.addEventListener("submit", (event) => {
      event.preventDefault();
      this.addWebhook();
    });
    document.getElementById("push-enable").addEventListener("click", () => this.enablePush());
    document.getElementById("feed-copy").addEventListener("click", () => copy(this.feed, "Feed URL copied."));
    document.getElementById("webhook-secret-copy").addEventListener("click", () =>
      copy(document.getElementById("webhook-secret-value"), "Signing secret copied."));
    document.getElementById("webhook-secret-done").addEventListener("click", () => this.hideSecret());
  }

  async load(me) {
    this.feed.value = me.feed_url;
    this.describePush();
    const [channels, hooks] = await Promise.all([api("/api/me/notifications"), api("/api/webhooks")]);
    this.showChannels(channels);
    this.showWebhooks(hooks.webhooks);
  }

  clear() {
    this.feed.value = "";
    this.webhookList.replaceChildren();
    this.hideSecret();
    this.form.reset();
    this.message.textContent = "";
  }

  showChannels(channels) {
    this.form.elements.push.checked = channels.push;
    this.form.elements.email.checked = channels.email;
    this.form.elements.webhook.checked = channels.webhook;
    this.form.elements.email_address.value = channels.email_address || "";
    document.getElementById("email-note").textContent = channels.available.email
      ? ""
      : "This server has no mail server configured, so e-mails are not sent yet.";
  }

  async saveChannels() {
    const f = this.form.elements;
    const body = {
      push: f.push.checked,
      email: f.email.checked,
      webhook: f.webhook.checked,
      email_address: f.email_address.value.trim() || null,
    };
    try {
      this.showChannels(await api("/api/me/notifications", { method: "PUT", body }));
      this.message.textContent = "Notification settings saved.";
    } catch (err) {
      this.message.textContent = err.message;
    }
  }

  describePush() {
    if (!("Notification" in window)) {
      this.pushState.textContent = "This browser cannot show notifications.";
      return;
    }
    this.pushState.textContent = {
      granted: "Browser notifications are on for this page.",
      denied: "Notifications are blocked for this site in your browser's settings.",
      default: "You will be told in this page when an episode is ready; turn on browser notifications to be told anywhere.",
    }[Notification.permission];
  }

  /** Ask for permission, then subscribe this browser to web push with the server's VAPID key. */
  async enablePush() {
    if (!("Notification" in window)) return this.describePush();
    const permission = await Notification.requestPermission();
    this.describePush();
    if (permission !== "granted") return;
    if (!("serviceWorker" in navigator) || !("PushManager" in window)) {
      this.pushState.textContent = "Notifications are on while this page is open; this browser has no web push.";
      return;
    }
    try {
      const registration = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
      await navigator.serviceWorker.ready;
      const { public_key: publicKey } = await api("/api/me/push-subscriptions");
      const subscription = await registration.pushManager.getSubscription()
        || await registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: base64UrlBytes(publicKey),
        });
      await api("/api/me/push-subscriptions", { method: "POST", body: subscription.toJSON() });
      this.pushState.textContent = "Web push is on: this browser is told even when the page is closed.";
      announce("Web push turned on.");
    } catch (err) {
      this.pushState.textContent =
        `Notifications are on while this page is open, but web push could not be set up: ${err.message}`;
    }
  }

  showWebhooks(hooks) {
    this.webhookList.replaceChildren(...hooks.map((hook) =>
      h("li", { class: "webhook", dataset: { webhookId: hook.id } },
        h("p", {}, h("code", {}, hook.url)),
        h("p", { class: "meta" }, hook.enabled ? "Active" : `Disabled: ${hook.disabled_reason || "by the server"}`),
        h("button", {
          type: "button",
          class: "danger",
          "aria-label": `Delete webhook ${hook.url}`,
          onclick: () => this.deleteWebhook(hook),
        }, "Delete"))));
    if (!hooks.length) this.webhookList.append(h("li", { class: "hint" }, "No webhooks."));
  }

  async addWebhook() {
    const input = document.getElementById("webhook-url");
    try {
      const created = await api("/api/webhooks", { method: "POST", body: { url: input.value.trim() } });
      input.value = "";
      this.webhookMessage.textContent = "Webhook added.";
      this.showSecret(created.secret);
      this.showWebhooks((await api("/api/webhooks")).webhooks);
    } catch (err) {
      this.webhookMessage.textContent = err.message;
    }
  }

  async deleteWebhook(hook) {
    try {
      await api(`/api/webhooks/${hook.id}`, { method: "DELETE" });
      this.webhookMessage.textContent = "Webhook deleted.";
      this.showWebhooks((await api("/api/webhooks")).webhooks);
      document.getElementById("webhook-url").focus();
    } catch (err) {
      toast(err.message, { kind: "error" });
    }
  }

  showSecret(secret) {
    const value = document.getElementById("webhook-secret-value");
    value.value = secret;
    this.secretBox.hidden = false;
    value.focus();
    value.select();
  }

  hideSecret() {
    document.getElementById("webhook-secret-value").value = "";
    this.secretBox.hidden = true;
  }
}

async function copy(input, done) {
  try {
    await navigator.clipboard.writeText(input.value);
  } catch (err) {
    input.select(); // the listener can copy the selection themselves
    announce("Copying was not allowed; the text is selected for you to copy.");
    return;
  }
  toast(done, { seconds: 4 });
}

function base64UrlBytes(text) {
  const padded = (text + "=".repeat((4 - (text.length % 4)) % 4)).replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}
