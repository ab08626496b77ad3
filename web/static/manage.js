// The invitee's page of one booking, /manage/<manageToken>: the booking in their time zone, its
// status kept live (`managedBookingEvents`, so a change by the host shows at once), moving it
// with the slot picker, cancelling it with a reason, and its .ics. Inside the event type's
// cancellation notice the page says why it can no longer be changed online.

import { initConsent } from "./consent.js";
import { LiveClient, announce, request } from "./graphql.js";
import { SlotPicker, browserZone, describeSlot, rememberedZone } from "./slot-picker.js";

const BOOKING_FIELDS = `id start end status attendeeName attendeeTimeZone location cancelReason
  eventType { id title durationMinutes minimumCancelNoticeMinutes host { name timeZone } }`;
const MANAGED = `query ManagedBooking($token: String!) {
  managedBooking(manageToken: $token) { ${BOOKING_FIELDS} }
}`;
const MOVE = `mutation Move($id: ID!, $start: DateTime!, $reason: String, $token: String) {
  rescheduleBooking(id: $id, start: $start, reason: $reason, manageToken: $token) {
    ${BOOKING_FIELDS}
  }
}`;
const CANCEL = `mutation Cancel($id: ID!, $reason: String, $token: String) {
  cancelBooking(id: $id, reason: $reason, manageToken: $token) { ${BOOKING_FIELDS} }
}`;
const EVENTS = `subscription ManagedBookingEvents($token: String!) {
  managedBookingEvents(manageToken: $token) { kind booking { ${BOOKING_FIELDS} } }
}`;
const AVAILABILITY = `subscription Availability($id: ID!) {
  availabilityChanged(eventTypeId: $id) { eventTypeId }
}`;

const STATUS_TEXT = {
  PENDING: "Awaiting the host's confirmation",
  CONFIRMED: "Confirmed",
  CANCELLED: "Cancelled",
};
const LIVE_TEXT = {
  connecting: "Connecting…",
  live: "Live: changes show at once",
  offline: "Offline — reconnecting",
  refused: "Live updates unavailable",
};
const HEARD = {
  CONFIRMED: "The host confirmed your booking.",
  RESCHEDULED: "Your booking was moved",
  CANCELLED: "Your booking was cancelled.",
};

const $ = (id) => document.getElementById(id);
const token = decodeURIComponent(window.location.pathname.split("/").filter(Boolean).pop());

const state = {
  booking: null,
  zone: null,
  picker: null,
  stopAvailability: null,
  live: null,
  deadlineTimer: null,
};

// ---- wording ---------------------------------------------------------------------------------

function duration(minutes) {
  if (minutes % 1440 === 0) return plural(minutes / 1440, "day");
  if (minutes % 60 === 0) return plural(minutes / 60, "hour");
  if (minutes > 60) return `${plural(Math.floor(minutes / 60), "hour")} ${plural(minutes % 60, "minute")}`;
  return plural(minutes, "minute");
}

function plural(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function moment(date) {
  return new Intl.DateTimeFormat(undefined, {
    timeZone: state.zone,
    weekday: "long",
    day: "numeric",
    month: "long",
    hour: "2-digit",
    minute: "2-digit",
  }).format(date);
}

/** Why the booking cannot be changed online now, or null when it can. */
function closedBecause(booking) {
  const hostName = booking.eventType.host.name;
  if (booking.status === "CANCELLED") {
    return {
      title: "This booking is cancelled",
      text: "Nothing more to do here. You can book another time if you like.",
    };
  }
  const start = new Date(booking.start);
  if (start <= new Date()) {
    return {
      title: "This meeting has started",
      text: "A meeting that has begun can no longer be moved or cancelled.",
    };
  }
  const notice = booking.eventType.minimumCancelNoticeMinutes;
  const deadline = new Date(start.getTime() - notice * 60_000);
  if (notice > 0 && new Date() >= deadline) {
    return {
      title: "Changes are closed",
      text:
        `Bookings of ${booking.eventType.title} can be moved or cancelled online up to ` +
        `${duration(notice)} before they start; for this one that was ${moment(deadline)}. ` +
        `Please contact ${hostName} directly if you cannot come.`,
    };
  }
  return null;
}

// ---- rendering -------------------------------------------------------------------------------

function render() {
  const booking = state.booking;
  const eventType = booking.eventType;
  document.title = `${eventType.title} with ${eventType.host.name} · Book N Meet`;
  $("host-name").textContent = eventType.host.name;
  $("booking-title").textContent = eventType.title;
  $("booking-when").textContent = describeSlot(booking, state.zone);
  const status = $("booking-status");
  status.hidden = false;
  status.className = `status status-${booking.status.toLowerCase()}`;
  status.textContent = STATUS_TEXT[booking.status] ?? booking.status;
  $("booking-zone").textContent = state.zone;
  $("location-row").hidden = !booking.location;
  $("booking-location").textContent = booking.location ?? "";
  $("reason-row").hidden = !booking.cancelReason;
  $("booking-reason").textContent = booking.cancelReason ?? "";
  $("ics-link").href =
    `/ical/booking/${encodeURIComponent(booking.id)}.ics?token=${encodeURIComponent(token)}`;
  $("ics-link").hidden = booking.status === "CANCELLED";
  $("book-again").href = `/book/${encodeURIComponent(eventType.id)}`;
  $("book-again").hidden = booking.status !== "CANCELLED";

  const closed = closedBecause(booking);
  $("notice").hidden = !closed;
  if (closed) {
    $("notice-title").textContent = closed.title;
    $("notice-text").textContent = closed.text;
    for (const id of ["change", "picker", "move", "cancel"]) $(id).hidden = true;
    stopWatchingSlots();
  } else {
    $("change").hidden = false;
    const notice = eventType.minimumCancelNoticeMinutes;
    const deadline = new Date(new Date(booking.start).getTime() - notice * 60_000);
    $("change-deadline").textContent =
      notice > 0
        ? `You can move or cancel it here until ${moment(deadline)} (${duration(notice)} before ` +
          "it starts)."
        : "You can move or cancel it here until it starts.";
    scheduleDeadline(deadline);
  }
}

/** Closes the page's changes when the deadline passes while it is open. */
function scheduleDeadline(deadline) {
  clearTimeout(state.deadlineTimer);
  const wait = deadline.getTime() - Date.now();
  if (wait > 0 && wait < 2 ** 31 - 1) state.deadlineTimer = setTimeout(render, wait + 500);
}

function update(booking, message) {
  state.booking = booking;
  render();
  if (message) announce(message);
}

function explain(failure, fallback) {
  if (failure.code !== "CONFLICT") return failure.message;
  const closed = closedBecause(state.booking);
  if (closed) return `${closed.title}. ${closed.text}`;
  if (/only the host/i.test(failure.message)) {
    return `${failure.message} Please contact ${state.booking.eventType.host.name} directly.`;
  }
  return fallback;
}

// ---- moving ----------------------------------------------------------------------------------

function watchSlots() {
  if (state.stopAvailability || !state.live) return;
  state.stopAvailability = state.live.subscribe(
    AVAILABILITY,
    { id: state.booking.eventType.id },
    { next: () => state.picker.scheduleRefresh() },
  );
}

function stopWatchingSlots() {
  state.stopAvailability?.();
  state.stopAvailability = null;
}

function showPicker() {
  const button = $("show-reschedule");
  const open = $("picker").hidden;
  hideCancel();
  $("picker").hidden = !open;
  button.setAttribute("aria-expanded", String(open));
  if (!open) {
    $("move").hidden = true;
    stopWatchingSlots();
    return;
  }
  if (!state.picker) {
    state.picker = new SlotPicker({
      eventTypeId: state.booking.eventType.id,
      zone: state.zone,
      hostZone: state.booking.eventType.host.timeZone,
      onChoose: (slot) => {
        $("chosen").textContent = `New time: ${describeSlot(slot, state.picker.zone)}`;
        $("move-error").textContent = "";
        $("move").hidden = false;
      },
      onLost: () => {
        $("move").hidden = true;
        announce("The time you picked was just taken. Please pick another.");
      },
      onZone: (zone) => {
        state.zone = zone;
        render();
        if (state.picker.chosen) {
          $("chosen").textContent = `New time: ${describeSlot(state.picker.chosen, zone)}`;
        }
      },
      formTarget: $("move"),
    }).attach();
  }
  state.picker.load();
  watchSlots();
  $("slots-title").focus();
}

async function move(event) {
  event.preventDefault();
  const slot = state.picker?.chosen;
  const error = $("move-error");
  error.textContent = "";
  if (!slot) {
    error.textContent = "Please pick a new time first.";
    return;
  }
  $("move-button").disabled = true;
  try {
    const { rescheduleBooking } = await request(MOVE, {
      id: state.booking.id,
      start: slot.start,
      reason: $("move-reason").value.trim() || null,
      token,
    });
    state.picker.clear();
    $("move-form").reset();
    $("move").hidden = true;
    $("picker").hidden = true;
    $("show-reschedule").setAttribute("aria-expanded", "false");
    stopWatchingSlots();
    update(rescheduleBooking, `Moved to ${describeSlot(rescheduleBooking, state.zone)}.`);
    $("booking-title").focus();
  } catch (failure) {
    error.textContent = explain(failure, "Sorry, that time was just taken. Please pick another.");
    if (failure.code === "CONFLICT") state.picker.load();
  } finally {
    $("move-button").disabled = false;
  }
}

// ---- cancelling ------------------------------------------------------------------------------

function showCancel() {
  const open = $("cancel").hidden;
  if (open) {
    $("picker").hidden = true;
    $("move").hidden = true;
    $("show-reschedule").setAttribute("aria-expanded", "false");
    stopWatchingSlots();
  }
  $("cancel").hidden = !open;
  $("show-cancel").setAttribute("aria-expanded", String(open));
  if (open) {
    $("cancel").scrollIntoView({ block: "start" });
    $("cancel-reason").focus();
  }
}

function hideCancel() {
  $("cancel").hidden = true;
  $("show-cancel").setAttribute("aria-expanded", "false");
}

async function cancel(event) {
  event.preventDefault();
  const error = $("cancel-error");
  error.textContent = "";
  $("cancel-button").disabled = true;
  try {
    const { cancelBooking } = await request(CANCEL, {
      id: state.booking.id,
      reason: $("cancel-reason").value.trim() || null,
      token,
    });
    $("cancel-form").reset();
    update(cancelBooking, "Your booking is cancelled.");
    $("booking-title").focus();
  } catch (failure) {
    error.textContent = explain(failure, "This booking changed meanwhile; the page shows it now.");
    if (failure.code === "CONFLICT") refresh().catch(() => {});
  } finally {
    $("cancel-button").disabled = false;
  }
}

// ---- start -----------------------------------------------------------------------------------

function setLiveStatus(status) {
  const node = $("live-status");
  node.dataset.state = status;
  node.textContent = LIVE_TEXT[status] ?? status;
}

async function refresh() {
  const { managedBooking } = await request(MANAGED, { token });
  if (!managedBooking) {
    $("load-error").textContent = "This booking can no longer be found.";
    return;
  }
  update(managedBooking);
}

function goLive() {
  const live = new LiveClient({
    onStatus: setLiveStatus,
    onConnected: ({ reconnect }) => {
      if (reconnect) refresh().catch(() => {});
    },
  });
  live.subscribe(EVENTS, { token }, {
    next: ({ data }) => {
      const event = data?.managedBookingEvents;
      if (!event) return;
      let message = HEARD[event.kind];
      if (event.kind === "RESCHEDULED") {
        message = `${message} to ${describeSlot(event.booking, state.zone)}.`;
      }
      update(event.booking, message);
    },
  });
  live.start();
  state.live = live;
  window.bookNMeet = { live };
}

async function main() {
  initConsent();
  let data;
  try {
    data = await request(MANAGED, { token });
  } catch (error) {
    $("load-error").textContent = error.message;
    return;
  }
  if (!data.managedBooking) {
    $("booking-title").textContent = "This booking link does not work";
    $("booking-when").textContent = "";
    return;
  }
  state.zone = data.managedBooking.attendeeTimeZone ?? rememberedZone() ?? browserZone;
  update(data.managedBooking);
  $("show-reschedule").addEventListener("click", showPicker);
  $("show-cancel").addEventListener("click", showCancel);
  $("keep-button").addEventListener("click", () => {
    hideCancel();
    $("show-cancel").focus();
  });
  $("move-form").addEventListener("submit", move);
  $("cancel-form").addEventListener("submit", cancel);
  $("booking-title").setAttribute("tabindex", "-1");
  goLive();
}

main();
