// The slot picker shared by the booking page (/book) and the invitee's manage page (/manage):
// a week of free slots at a time in the visitor's time zone, earlier/later, the zone select,
// and a refresh when `availabilityChanged` says the slots may have changed.
//
// The page's HTML holds the elements with these ids: time-zone, earlier, later, week-label,
// slots, slots-empty, load-error.

import { announce, element, request } from "./graphql.js";

const ZONE_KEY = "bnm.timeZone"; // functionality storage: the zone the visitor picked
const DAYS_SHOWN = 7;
const DAY_MS = 24 * 60 * 60 * 1000;

const SLOTS = `query FreeSlots($id: ID!, $start: DateTime!, $end: DateTime!, $zone: String) {
  availableSlots(eventTypeId: $id, start: $start, end: $end, timeZone: $zone) { start end }
}`;

export const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

const $ = (id) => document.getElementById(id);

export function rememberedZone() {
  try {
    return localStorage.getItem(ZONE_KEY);
  } catch {
    return null;
  }
}

function rememberZone(zone) {
  try {
    if (zone === browserZone) localStorage.removeItem(ZONE_KEY);
    else localStorage.setItem(ZONE_KEY, zone);
  } catch {
    // Storage disabled: the zone lasts for this page only.
  }
}

export function formats(zone) {
  return {
    day: new Intl.DateTimeFormat(undefined, {
      timeZone: zone,
      weekday: "long",
      day: "numeric",
      month: "long",
    }),
    short: new Intl.DateTimeFormat(undefined, {
      timeZone: zone,
      weekday: "short",
      day: "numeric",
      month: "short",
    }),
    time: new Intl.DateTimeFormat(undefined, {
      timeZone: zone,
      hour: "2-digit",
      minute: "2-digit",
    }),
    key: new Intl.DateTimeFormat("en-CA", {
      timeZone: zone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
    }),
  };
}

/** "Monday 7 June, 10:00–10:30 (Europe/London)" */
export function describeSlot(slot, zone) {
  const f = formats(zone);
  const start = new Date(slot.start);
  const end = new Date(slot.end);
  return `${f.day.format(start)}, ${f.time.format(start)}–${f.time.format(end)} (${zone})`;
}

/**
 * Scrolls `target` into view, unless the choice came from arrow keys moving through the slots
 * (the reader is still looking at times; Tab reaches the form next anyway).
 */
function bringIntoView(target) {
  const smooth = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  target.scrollIntoView({ behavior: smooth ? "smooth" : "auto", block: "start" });
}

export class SlotPicker {
  /**
   * onChoose(slot): a slot was picked; onLost(): the picked slot is no longer free;
   * onZone(zone): the visitor changed the zone; formTarget: scrolled into view after a pick
   * by pointer, Space or Enter (on a phone the form would otherwise sit below every slot).
   */
  constructor({
    eventTypeId,
    zone = rememberedZone() ?? browserZone,
    hostZone = null,
    onChoose = () => {},
    onLost = () => {},
    onZone = () => {},
    formTarget = null,
  }) {
    this.eventTypeId = eventTypeId;
    this.zone = zone;
    this.hostZone = hostZone;
    this.onChoose = onChoose;
    this.onLost = onLost;
    this.onZone = onZone;
    this.formTarget = formTarget;
    this.page = 0;
    this.slots = [];
    this.chosen = null;
    this.loading = 0;
    this.refreshTimer = null;
    this.navigating = false; // the last key in the slots was an arrow key
  }

  /** Wires the controls once; then call load(). */
  attach() {
    this.fillZones();
    $("earlier").addEventListener("click", () => {
      this.page = Math.max(0, this.page - 1);
      this.load();
    });
    $("later").addEventListener("click", () => {
      this.page += 1;
      this.load();
    });
    const slots = $("slots");
    slots.addEventListener("keydown", (event) => {
      this.navigating = event.key.startsWith("Arrow");
      if (event.key === "Enter" && event.target.matches?.("input[type=radio]")) {
        event.preventDefault();
        event.target.checked = true;
        const slot = this.slots.find((s) => s.start === event.target.value);
        if (slot) this.choose(slot, { focusForm: true });
      }
    });
    slots.addEventListener("pointerdown", () => {
      this.navigating = false;
    });
    return this;
  }

  fillZones() {
    const select = $("time-zone");
    let zones = [];
    try {
      zones = Intl.supportedValuesOf("timeZone");
    } catch {
      zones = [];
    }
    const wanted = [this.zone, browserZone, "UTC", this.hostZone].filter(Boolean);
    const all = [...new Set([...wanted, ...zones])].sort();
    select.replaceChildren(
      ...all.map((zone) =>
        element("option", {
          value: zone,
          text: zone === browserZone ? `${zone} (this device)` : zone,
          selected: zone === this.zone,
        }),
      ),
    );
    select.addEventListener("change", () => {
      this.zone = select.value;
      rememberZone(this.zone);
      announce(`Times now shown in ${this.zone}.`);
      this.onZone(this.zone);
      this.load();
    });
  }

  windowBounds() {
    const start = new Date(Date.now() + this.page * DAYS_SHOWN * DAY_MS);
    return { start, end: new Date(start.getTime() + DAYS_SHOWN * DAY_MS) };
  }

  async load() {
    const ticket = ++this.loading;
    const { start, end } = this.windowBounds();
    const f = formats(this.zone);
    $("week-label").textContent = `${f.short.format(start)} – ${f.short.format(new Date(end - 1))}`;
    $("earlier").disabled = this.page === 0;
    let data;
    try {
      data = await request(SLOTS, {
        id: this.eventTypeId,
        start: start.toISOString(),
        end: end.toISOString(),
        zone: this.zone,
      });
    } catch (error) {
      if (ticket === this.loading) $("load-error").textContent = error.message;
      return;
    }
    if (ticket !== this.loading) return; // a newer request is on its way
    $("load-error").textContent = "";
    this.slots = data.availableSlots;
    this.render();
  }

  scheduleRefresh() {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => this.load(), 250);
  }

  render() {
    const f = formats(this.zone);
    const byDay = new Map();
    for (const slot of this.slots) {
      const key = f.key.format(new Date(slot.start));
      if (!byDay.has(key)) byDay.set(key, []);
      byDay.get(key).push(slot);
    }
    const chosen = this.chosen;
    const stillThere = this.slots.some((s) => chosen && s.start === chosen.start);
    const groups = [...byDay.entries()].map(([key, slots]) => {
      const headingId = `day-${key}`;
      return element(
        "div",
        { class: "day", role: "group", "aria-labelledby": headingId },
        element("h3", { id: headingId, text: f.day.format(new Date(slots[0].start)) }),
        element(
          "div",
          { class: "day-slots" },
          ...slots.map((slot) => {
            const id = `slot-${new Date(slot.start).getTime()}`;
            const input = element("input", {
              type: "radio",
              name: "slot",
              id,
              value: slot.start,
              checked: stillThere && slot.start === chosen.start,
            });
            input.addEventListener("change", () => this.choose(slot));
            return element(
              "span",
              { class: "slot" },
              input,
              element("label", { for: id, text: f.time.format(new Date(slot.start)) }),
            );
          }),
        ),
      );
    });
    $("slots").replaceChildren(...groups);
    $("slots-empty").hidden = this.slots.length > 0;
    if (chosen && !stillThere) {
      this.chosen = null;
      this.onLost();
    }
  }

  choose(slot, { focusForm = false } = {}) {
    this.chosen = slot;
    this.onChoose(slot);
    if (!this.formTarget) return;
    if (focusForm) {
      const first = this.formTarget.querySelector("input, textarea, select, button");
      bringIntoView(this.formTarget);
      first?.focus({ preventScroll: true });
    } else if (!this.navigating) {
      bringIntoView(this.formTarget);
    }
  }

  /** Forgets the pick (after booking or moving). */
  clear() {
    this.chosen = null;
    for (const input of document.querySelectorAll("#slots input:checked")) input.checked = false;
  }
}
