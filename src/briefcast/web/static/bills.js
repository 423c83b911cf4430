// Browse and search bills; follow (track) the ones briefs should cover first.

import { api } from "./api.js";
import { announce, h, toast } from "./ui.js";

const PAGE = 10;

export class BillBrowser {
  constructor() {
    this.form = document.getElementById("bill-search");
    this.input = document.getElementById("bill-query");
    this.results = document.getElementById("bill-results");
    this.count = document.getElementById("bill-count");
    this.more = document.getElementById("bill-more");
    this.query = "";
    this.offset = 0;
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.search(this.input.value.trim());
    });
    this.more.addEventListener("click", () => this.page());
  }

  async search(query) {
    this.query = query;
    this.offset = 0;
    this.results.replaceChildren();
    await this.page();
  }

  clear() {
    this.results.replaceChildren();
    this.count.textContent = "";
    this.more.hidden = true;
    this.input.value = "";
  }

  async page() {
    const params = new URLSearchParams({ limit: PAGE, offset: this.offset });
    if (this.query) params.set("q", this.query);
    try {
      const page = await api(`/api/bills?${params}`);
      this.results.append(...page.bills.map((bill) => this.item(bill)));
      this.offset += page.bills.length;
      this.more.hidden = this.offset >= page.total;
      this.count.textContent = page.total === 0
        ? "No bills match."
        : `${page.total} bill${page.total === 1 ? "" : "s"}${this.query ? ` match “${this.query}”` : ""}; showing ${this.offset}.`;
    } catch (err) {
      this.count.textContent = err.message;
    }
  }

  item(bill) {
    const name = bill.short_title || bill.title;
    const latest = bill.latest_action ? `${bill.latest_action.date}: ${bill.latest_action.text}` : null;
    const button = h("button", { type: "button", class: "secondary", "aria-pressed": String(Boolean(bill.tracked)) });
    const label = () => {
      const on = button.getAttribute("aria-pressed") === "true";
      button.textContent = on ? "Following" : "Follow";
      button.setAttribute("aria-label", `${on ? "Stop following" : "Follow"} ${bill.citation}`);
    };
    label();
    button.addEventListener("click", () => this.toggle(bill, button, label));
    return h("li", { class: "bill", dataset: { billId: bill.id } },
      h("div", { class: "bill-head" }, h("h3", {}, `${bill.citation} — ${name}`), button),
      bill.short_title && bill.short_title !== bill.title ? h("p", { class: "meta" }, bill.title) : null,
      h("p", { class: "meta" }, [bill.status, bill.policy_area].filter(Boolean).join(" · ")),
      latest ? h("p", {}, latest) : null);
  }

  async toggle(bill, button, label) {
    const on = button.getAttribute("aria-pressed") === "true";
    button.disabled = true;
    try {
      await api(`/api/me/bills/${bill.id}`, { method: on ? "DELETE" : "PUT" });
      button.setAttribute("aria-pressed", String(!on));
      label();
      announce(on ? `Stopped following ${bill.citation}.` : `Following ${bill.citation}.`);
    } catch (err) {
      toast(err.message, { kind: "error" });
    } finally {
      button.disabled = false;
    }
  }
}
