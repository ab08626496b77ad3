// The public booking page of one event type: free slots in the visitor's own time zone, booking
// with name and e-mail, the manage link, and slots kept current from `availabilityChanged`.

import { initConsent } from "./consent.js";
import { LiveClient, announce, element, randomKey, request } from "./graphql.js";

const ZONE_KEY = "bnm.timeZone"; // functionality storage: the zone the visitor picked
const DAYS_SHOWN = 7;
const DAY_MS = 24 * 60 * 60 * 1000;

const EVENT_TYPE = `query BookingPage($id: ID!) {
  eventType(id: $id) {
    id title durationMinutes description location locationKind requiresConfirmation
    host { name timeZone }
  }
}`;
const SLOTS = `query FreeSlots($id: ID!, $start: DateTime!, $end: DateTime!, $zone: String) {
  availableSlots(eventTypeId: $id, start: $start, end: $end, timeZone: $zone) { start end }
}`;
const BOOK = `mutation Book($input: BookMeetingInput!) {
  bookMeeting(input: $input) { id start end status manageToken }
}`;
const AVAILABILITY = `subscription Availability($id: ID!) {
  availabilityChanged(eventTypeId: $id) { eventTypeId occurredAt }
}`;
const LIVE_TEXT = {
  connecting: "Connecting…",
  live: "Live: times update by themselves",
  offline: "Offline — reconnecting",
  refused: "Live updates unavailable",
};
const LOCATION_TEXT = { IN_PERSON: "In person", PHONE: "Phone", VIDEO: "Video call", OTHER: "" };

const $ = (id) => document.getElementById(id);
// /book/<id>, or /book/<handle>/<slug>, whose page names the event type's id in a meta tag.
const eventTypeId =
  document.querySelector('meta[name="event-type-id"]')?.content ??
  decodeURIComponent(window.location.pathname.split("/").filter(Boolean).pop());
const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

const state = {
  eventType: null,
  zone: rememberedZone() ?? browserZone,
  page: 0,
  slots: [],
  chosen: null, // { start, end }
  idempotencyKey: null,
  refreshTimer: null,
  loading: 0,
};

function rememberedZone() {
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

function formats(zone) {
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

function describeSlot(slot, zone) {
  const f = formats(zone);
  const start = new Date(slot.start);
  const end = new Date(slot.end);
  return `${f.day.format(start)}, ${f.time.format(start)}–${f.time.format(end)} (${zone})`;
}

// ---- time zone -------------------------------------------------------------------------------

function fillZones() {
  const select = $("time-zone");
  let zones = [];
  try {
    zones = Intl.supportedValuesOf("timeZone");
  } catch {
    zones = [];
  }
  const wanted = [state.zone, browserZone, "UTC", state.eventType?.host.timeZone].filter(Boolean);
  const all = [...new Set([...wanted, ...zones])].sort();
  select.replaceChildren(
    ...all.map((zone) =>
      element("option", {
        value: zone,
        text: zone === browserZone ? `${zone} (this device)` : zone,
        selected: zone === state.zone,
      }),
    ),
  );
  select.addEventListener("change", () => {
    state.zone = select.value;
    rememberZone(state.zone);
    announce(`Times now shown in ${state.zone}.`);
    if (state.chosen) $("chosen").textContent = chosenText();
    loadSlots();
  });
}

// ---- slots -----------------------------------------------------------------------------------

function windowBounds() {
  const start = new Date(Date.now() + state.page * DAYS_SHOWN * DAY_MS);
  return { start, end: new Date(start.getTime() + DAYS_SHOWN * DAY_MS) };
}

async function loadSlots() {
  const ticket = ++state.loading;
  const { start, end } = windowBounds();
  const f = formats(state.zone);
  $("week-label").textContent = `${f.short.format(start)} – ${f.short.format(new Date(end - 1))}`;
  $("earlier").disabled = state.page === 0;
  let data;
  try {
    data = await request(SLOTS, {
      id: eventTypeId,
      start: start.toISOString(),
      end: end.toISOString(),
      zone: state.zone,
    });
  } catch (error) {
    if (ticket === state.loading) $("load-error").textContent = error.message;
    return;
  }
  if (ticket !== state.loading) return; // a newer request is on its way
  $("load-error").textContent = "";
  state.slots = data.availableSlots;
  renderSlots();
}

function renderSlots() {
  const f = formats(state.zone);
  const byDay = new Map();
  for (const slot of state.slots) {
    const key = f.key.format(new Date(slot.start));
    if (!byDay.has(key)) byDay.set(key, []);
    byDay.get(key).push(slot);
  }
  const stillThere = state.slots.some((s) => state.chosen && s.start === state.chosen.start);
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
            checked: stillThere && slot.start === state.chosen.start,
          });
          input.addEventListener("change", () => choose(slot));
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
  $("slots-empty").hidden = state.slots.length > 0;
  if (state.chosen && !stillThere && $("done").hidden) {
    state.chosen = null;
    $("details").hidden = true;
    announce("The time you picked was just taken. Please pick another.");
  }
}

function scheduleRefresh() {
  clearTimeout(state.refreshTimer);
  state.refreshTimer = setTimeout(loadSlots, 250);
}

function chosenText() {
  return `${state.eventType.title} on ${describeSlot(state.chosen, state.zone)}`;
}

function choose(slot) {
  state.chosen = slot;
  state.idempotencyKey = randomKey();
  $("chosen").textContent = chosenText();
  $("book-error").textContent = "";
  $("details").hidden = false;
}

// ---- booking ---------------------------------------------------------------------------------

async function submit(event) {
  event.preventDefault();
  const error = $("book-error");
  error.textContent = "";
  const name = $("name").value.trim();
  const email = $("email").value.trim();
  const notes = $("notes").value.trim();
  if (!state.chosen) {
    error.textContent = "Please pick a time first.";
    return;
  }
  if (!name || !email) {
    error.textContent = name ? "Please enter your e-mail." : "Please enter your name.";
    (name ? $("email") : $("name")).focus();
    return;
  }
  $("book-button").disabled = true;
  try {
    const { bookMeeting } = await request(BOOK, {
      input: {
        eventTypeId,
        start: state.chosen.start,
        name,
        email,
        timeZone: state.zone,
        notes: notes || null,
        idempotencyKey: state.idempotencyKey,
      },
    });
    showDone(bookMeeting);
  } catch (failure) {
    if (failure.code === "CONFLICT") {
      error.textContent = "Sorry, that time was just taken. Please pick another.";
      state.chosen = null;
      loadSlots();
    } else {
      error.textContent = failure.message;
      const field = failure.errors?.[0]?.extensions?.field;
      if (field === "email") $("email").focus();
      else if (field === "name") $("name").focus();
    }
  } finally {
    $("book-button").disabled = false;
  }
}

function showDone(booking) {
  const pending = booking.status === "PENDING";
  $("done-title").textContent = pending ? "Your request is sent" : "You are booked";
  $("done-summary").textContent =
    `${state.eventType.title} with ${state.eventType.host.name} on ` +
    `${describeSlot(booking, state.zone)}.` +
    (pending ? ` ${state.eventType.host.name} will confirm it.` : "");
  const link = $("manage-link");
  link.href = `/ical/booking/${encodeURIComponent(booking.id)}.ics?token=${encodeURIComponent(
    booking.manageToken,
  )}`;
  $("details").hidden = true;
  $("picker").hidden = true;
  $("done").hidden = false;
  $("done-title").focus();
  state.chosen = null;
  $("book-form").reset();
}

function bookAnother() {
  $("done").hidden = true;
  $("picker").hidden = false;
  loadSlots();
  $("slots-title").setAttribute("tabindex", "-1");
  $("slots-title").focus();
}

// ---- start -----------------------------------------------------------------------------------

function setLiveStatus(status) {
  const node = $("live-status");
  node.dataset.state = status;
  node.textContent = LIVE_TEXT[status] ?? status;
}

async function main() {
  initConsent();
  let data;
  try {
    data = await request(EVENT_TYPE, { id: eventTypeId });
  } catch (error) {
    $("load-error").textContent = error.message;
    return;
  }
  const eventType = data.eventType;
  if (!eventType) {
    $("event-title").textContent = "This booking page does not exist";
    $("host-name").textContent = "—";
    return;
  }
  state.eventType = eventType;
  document.title = `${eventType.title} with ${eventType.host.name} · Book N Meet`;
  $("host-name").textContent = eventType.host.name;
  $("event-title").textContent = eventType.title;
  const meta = [`${eventType.durationMinutes} minutes`, LOCATION_TEXT[eventType.locationKind]];
  if (eventType.location) meta.push(eventType.location);
  if (eventType.requiresConfirmation) meta.push("the host confirms each booking");
  $("event-meta").textContent = meta.filter(Boolean).join(" · ");
  $("event-description").textContent = eventType.description ?? "";

  fillZones();
  $("earlier").addEventListener("click", () => {
    state.page = Math.max(0, state.page - 1);
    loadSlots();
  });
  $("later").addEventListener("click", () => {
    state.page += 1;
    loadSlots();
  });
  $("book-form").addEventListener("submit", submit);
  $("book-another").addEventListener("click", bookAnother);
  $("picker").hidden = false;
  await loadSlots();

  const live = new LiveClient({
    onStatus: setLiveStatus,
    onConnected: ({ reconnect }) => {
      if (reconnect) scheduleRefresh(); // whatever changed while offline
    },
  });
  live.subscribe(AVAILABILITY, { id: eventTypeId }, { next: scheduleRefresh });
  live.start();
  window.bookNMeet = { live };
}

main();
