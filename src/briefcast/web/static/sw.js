// briefcast's service worker: shows web push notifications and opens the page on a click.

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (err) {
    data = { body: event.data ? event.data.text() : "" };
  }
  event.waitUntil(self.registration.showNotification(data.title || "briefcast", {
    body: data.body || "",
    // The page notifies with the same tag, so one episode is announced once.
    tag: data.podcast_id || undefined,
    icon: "/static/icon.svg",
    data: { url: data.url || "/" },
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || "/";
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
    const open = windows.find((w) => new URL(w.url).pathname === "/");
    return open ? open.focus() : self.clients.openWindow(url);
  }));
});
