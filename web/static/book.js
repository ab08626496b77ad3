// The public booking page of one event type: free slots in the visitor's own time zone, booking
// with name and e-mail, the manage link, and slots kept current from `availabilityChanged`.

import { initConsent } from "./consent.js";
import { LiveClient, announce, randomKey, request } from "./graphql.js";
import { answerError, answersFrom, renderQuestions } from "./questions.js";
import { SlotPicker, describeSlot } from "./slot-picker.js";

const EVENT_TYPE = `query BookingPage($id: ID!) {
  eventType(id: $id) {
    id title durationMinutes description location locationKind requiresConfirmation
    host { name timeZone }
    questions { key label kind required options }
  }
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

const state = {
  eventType: null,
  picker: null,
  idempotencyKey: null,
};

function chosenText() {
  return `${state.eventType.title} on ${describeSlot(state.picker.chosen, state.picker.zone)}`;
}

function chosen() {
  state.idempotencyKey = randomKey();
  $("chosen").textContent = chosenText();
  $("book-error").textContent = "";
  $("details").hidden = false;
}

function lost() {
  if (!$("done").hidden) return;
  $("details").hidden = true;
  announce("The time you picked was just taken. Please pick another.");
}

// ---- booking ---------------------------------------------------------------------------------

async function submit(event) {
  event.preventDefault();
  const error = $("book-error");
  error.textContent = "";
  const name = $("name").value.trim();
  const email = $("email").value.trim();
  const notes = $("notes").value.trim();
  const slot = state.picker.chosen;
  if (!slot) {
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
        start: slot.start,
        name,
        email,
        timeZone: state.picker.zone,
        notes: notes || null,
        idempotencyKey: state.idempotencyKey,
        answers: answersFrom($("questions")),
      },
    });
    showDone(bookMeeting);
  } catch (failure) {
    if (failure.code === "CONFLICT") {
      error.textContent = "Sorry, that time was just taken. Please pick another.";
      state.picker.clear();
      $("details").hidden = true;
      state.picker.load();
    } else {
      const aboutAnswer = answerError($("questions"), failure);
      error.textContent = aboutAnswer ?? failure.message;
      const field = failure.errors?.[0]?.extensions?.field;
      if (aboutAnswer) return;
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
    `${describeSlot(booking, state.picker.zone)}.` +
    (pending ? ` ${state.eventType.host.name} will confirm it.` : "");
  const link = $("manage-link");
  link.href = `/ical/booking/${encodeURIComponent(booking.id)}.ics?token=${encodeURIComponent(
    booking.manageToken,
  )}`;
  $("change-link").href = `/manage/${encodeURIComponent(booking.manageToken)}`;
  $("details").hidden = true;
  $("picker").hidden = true;
  $("done").hidden = false;
  $("done-title").focus();
  state.picker.clear();
  $("book-form").reset();
}

function bookAnother() {
  $("done").hidden = true;
  $("picker").hidden = false;
  state.picker.load();
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
  renderQuestions($("questions"), eventType.questions ?? []);

  state.picker = new SlotPicker({
    eventTypeId,
    hostZone: eventType.host.timeZone,
    onChoose: chosen,
    onLost: lost,
    onZone: () => {
      if (state.picker.chosen) $("chosen").textContent = chosenText();
    },
    formTarget: $("details"),
  }).attach();
  $("book-form").addEventListener("submit", submit);
  $("book-another").addEventListener("click", bookAnother);
  $("picker").hidden = false;
  await state.picker.load();

  const live = new LiveClient({
    onStatus: setLiveStatus,
    onConnected: ({ reconnect }) => {
      if (reconnect) state.picker.scheduleRefresh(); // whatever changed while offline
    },
  });
  live.subscribe(AVAILABILITY, { id: eventTypeId }, { next: () => state.picker.scheduleRefresh() });
  live.start();
  window.bookNMeet = { live };
}

main();
