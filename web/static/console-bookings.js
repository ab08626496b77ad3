// The console's bookings: today's and upcoming bookings and unread notifications, kept current
// over graphql-transport-ws (`bookingEvents`, `notifications`); after a dropped connection it
// re-subscribes and catches up from the `notifications` query. The host confirms a PENDING
// booking, cancels one with a reason, or moves it to another free slot.

import { GraphQLError, LiveClient, announce, element, request } from "./graphql.js";

const BOOKING_FIELDS = `id start end status attendeeName attendeeEmail
  eventType { id title }`;
const NOTIFICATION_FIELDS = "id kind message createdAt readAt bookingId";

const DASHBOARD = `query Dashboard($from: DateTime!) {
  me { id name email timeZone }
  bookings(first: 100, order: START_ASC, startFrom: $from) {
    totalCount
    edges { node { ${BOOKING_FIELDS} } }
  }
  notifications(first: 50, unreadOnly: true) {
    totalCount
    edges { node { ${NOTIFICATION_FIELDS} } }
  }
}`;
const UNREAD = `query Unread {
  notifications(first: 50, unreadOnly: true) { totalCount edges { node { ${NOTIFICATION_FIELDS} } } }
}`;
const BOOKING = `query Booking($id: ID!) { booking(id: $id) { ${BOOKING_FIELDS} } }`;
const MARK_READ = "mutation MarkRead($ids: [ID!]!) { markNotificationsRead(ids: $ids) }";
const CONFIRM = `mutation Confirm($id: ID!) { confirmBooking(id: $id) { ${BOOKING_FIELDS} } }`;
const CANCEL = `mutation Cancel($id: ID!, $reason: String) {
  cancelBooking(id: $id, reason: $reason) { ${BOOKING_FIELDS} }
}`;
const RESCHEDULE = `mutation Reschedule($id: ID!, $start: DateTime!, $reason: String) {
  rescheduleBooking(id: $id, start: $start, reason: $reason) { ${BOOKING_FIELDS} }
}`;
const SLOTS = `query Slots($id: ID!, $start: DateTime!, $end: DateTime!, $zone: String) {
  availableSlots(eventTypeId: $id, start: $start, end: $end, timeZone: $zone) { start }
}`;
const BOOKING_EVENTS = `subscription BookingEvents {
  bookingEvents { kind occurredAt booking { ${BOOKING_FIELDS} } }
}`;
const NOTIFICATIONS = `subscription Notifications { notifications { ${NOTIFICATION_FIELDS} } }`;

const STATUS_TEXT = {
  PENDING: "Awaiting confirmation",
  CONFIRMED: "Confirmed",
  CANCELLED: "Cancelled",
};
const LIVE_TEXT = {
  connecting: "Connecting…",
  live: "Live",
  offline: "Offline — reconnecting",
  refused: "Disconnected — please sign in again",
};

const $ = (id) => document.getElementById(id);
const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
const dayFormat = new Intl.DateTimeFormat(undefined, {
  weekday: "short",
  day: "numeric",
  month: "short",
});
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const stampFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

function startOfDay(date, plusDays = 0) {
  const day = new Date(date);
  day.setHours(0, 0, 0, 0);
  day.setDate(day.getDate() + plusDays);
  return day;
}

function when(booking) {
  const start = new Date(booking.start);
  return `${dayFormat.format(start)}, ${timeFormat.format(start)}–${timeFormat.format(new Date(booking.end))}`;
}

export function createBookings(getToken) {
  const state = { bookings: new Map(), notifications: new Map(), live: null, me: null };
  const dialog = { booking: null, action: null };

  // ---- rendering -----------------------------------------------------------------------------

  function actionButton(text, booking, handler) {
    const button = element("button", {
      type: "button",
      class: "small",
      text,
      "aria-label": `${text}: ${booking.eventType.title} with ${booking.attendeeName}, ${when(booking)}`,
    });
    button.addEventListener("click", () => handler(booking, button));
    return button;
  }

  function bookingItem(booking) {
    const cancelled = booking.status === "CANCELLED";
    const time = element("time", { datetime: booking.start, class: "when" }, when(booking));
    const what = element(
      "span",
      { class: "what" },
      element("span", { class: "title", text: booking.eventType.title }),
      " with ",
      element("span", { class: "who", text: booking.attendeeName }),
      " ",
      element("span", { class: "email", text: `<${booking.attendeeEmail}>` }),
    );
    const details = element("span", { class: "details" }, time, " ", what);
    const actions = element("span", { class: "booking-actions" });
    if (booking.status === "PENDING") actions.append(actionButton("Confirm", booking, confirm));
    if (!cancelled) {
      actions.append(
        actionButton("Reschedule", booking, (b) => openDialog(b, "reschedule")),
        actionButton("Cancel", booking, (b) => openDialog(b, "cancel")),
      );
    }
    return element(
      "li",
      {
        class: `booking${cancelled ? " cancelled" : ""}`,
        "data-booking-id": booking.id,
        "data-status": booking.status,
      },
      cancelled ? element("s", {}, details) : details,
      element("span", {
        class: `status status-${booking.status.toLowerCase()}`,
        text: STATUS_TEXT[booking.status] ?? booking.status,
      }),
      actions,
    );
  }

  function renderBookings() {
    const today = startOfDay(new Date());
    const tomorrow = startOfDay(new Date(), 1);
    const sorted = [...state.bookings.values()].sort(
      (a, b) => new Date(a.start) - new Date(b.start) || Number(a.id) - Number(b.id),
    );
    const todays = [];
    const upcoming = [];
    for (const booking of sorted) {
      const start = new Date(booking.start);
      if (start >= tomorrow) upcoming.push(booking);
      else if (start >= today) todays.push(booking);
    }
    // Keep keyboard focus on the same action of the same booking across a live re-render.
    const focused = document.activeElement?.closest?.("li.booking");
    const focusedLabel = document.activeElement?.textContent;
    $("today").replaceChildren(...todays.map(bookingItem));
    $("upcoming").replaceChildren(...upcoming.map(bookingItem));
    $("today-empty").hidden = todays.length > 0;
    $("upcoming-empty").hidden = upcoming.length > 0;
    if (focused) {
      const row = document.querySelector(
        `li.booking[data-booking-id="${focused.dataset.bookingId}"]`,
      );
      const button = [...(row?.querySelectorAll("button") ?? [])].find(
        (b) => b.textContent === focusedLabel,
      );
      (button ?? row?.querySelector("button"))?.focus();
    }
  }

  function notificationItem(notification) {
    const button = element("button", {
      type: "button",
      class: "link-button",
      text: "Mark as read",
      "aria-label": `Mark as read: ${notification.message}`,
    });
    button.addEventListener("click", () => markRead([notification.id]));
    return element(
      "li",
      { "data-notification-id": notification.id },
      element("span", { class: "message", text: notification.message }),
      element("time", {
        datetime: notification.createdAt,
        class: "stamp",
        text: stampFormat.format(new Date(notification.createdAt)),
      }),
      button,
    );
  }

  function renderNotifications() {
    const unread = [...state.notifications.values()].sort((a, b) => Number(b.id) - Number(a.id));
    $("notifications").replaceChildren(...unread.map(notificationItem));
    $("unread-count").textContent = String(unread.length);
    $("notifications-empty").hidden = unread.length > 0;
    $("mark-all-read").disabled = unread.length === 0;
  }

  // ---- data ----------------------------------------------------------------------------------

  function upsertBooking(booking) {
    const known = state.bookings.has(booking.id);
    if (new Date(booking.start) < startOfDay(new Date()) && !known) return;
    state.bookings.set(booking.id, booking);
    renderBookings();
  }

  function addNotifications(nodes) {
    const fresh = nodes.filter((n) => !n.readAt && !state.notifications.has(n.id));
    for (const node of fresh) state.notifications.set(node.id, node);
    if (fresh.length) renderNotifications();
    return fresh;
  }

  async function load() {
    const data = await request(
      DASHBOARD,
      { from: startOfDay(new Date()).toISOString() },
      getToken(),
    );
    if (!data.me) {
      throw new GraphQLError([{ message: "Signed out.", extensions: { code: "UNAUTHENTICATED" } }]);
    }
    state.me = data.me;
    state.bookings = new Map(data.bookings.edges.map((e) => [e.node.id, e.node]));
    state.notifications = new Map(data.notifications.edges.map((e) => [e.node.id, e.node]));
    renderBookings();
    renderNotifications();
    $("zone-hint").textContent = `Times are shown in your time zone, ${zone}.`;
    return data.me;
  }

  /** After a reconnect: unread notifications we have not seen name the bookings that changed. */
  async function catchUp() {
    const { notifications } = await request(UNREAD, {}, getToken());
    const fresh = addNotifications(notifications.edges.map((e) => e.node));
    const ids = [...new Set(fresh.map((n) => n.bookingId).filter(Boolean))];
    const found = await Promise.all(
      ids.map((id) => request(BOOKING, { id }, getToken()).catch(() => ({ booking: null }))),
    );
    for (const { booking } of found) if (booking) upsertBooking(booking);
    if (fresh.length)
      announce(`${fresh.length} update${fresh.length > 1 ? "s" : ""} while offline.`);
  }

  async function markRead(ids) {
    if (!ids.length) return;
    try {
      await request(MARK_READ, { ids }, getToken());
    } catch (error) {
      announce(error.message);
      return;
    }
    for (const id of ids) state.notifications.delete(id);
    renderNotifications();
    announce(ids.length === 1 ? "Marked as read." : `${ids.length} notifications marked as read.`);
  }

  // ---- actions -------------------------------------------------------------------------------

  async function confirm(booking, button) {
    button.disabled = true;
    try {
      const { confirmBooking } = await request(CONFIRM, { id: booking.id }, getToken());
      upsertBooking(confirmBooking);
      // The Confirm button is gone: keep the keyboard on the row's next action.
      document.querySelector(`li.booking[data-booking-id="${booking.id}"] button`)?.focus();
      announce(`Confirmed: ${booking.attendeeName}, ${when(booking)}.`);
    } catch (error) {
      button.disabled = false;
      announce(
        error.code === "CONFLICT" ? "It changed meanwhile; the list is up to date." : error.message,
      );
      load().catch(() => {});
    }
  }

  async function loadSlots(booking) {
    const select = $("reschedule-start");
    select.replaceChildren(element("option", { value: "", text: "Loading free times…" }));
    const start = new Date();
    const end = new Date(start.getTime() + 28 * 86_400_000);
    const { availableSlots } = await request(SLOTS, {
      id: booking.eventType.id,
      start: start.toISOString(),
      end: end.toISOString(),
      zone,
    });
    const options = availableSlots
      .filter((s) => new Date(s.start).getTime() !== new Date(booking.start).getTime())
      .slice(0, 300)
      .map((s) => {
        const at = new Date(s.start);
        return element("option", {
          value: s.start,
          text: `${dayFormat.format(at)}, ${timeFormat.format(at)}`,
        });
      });
    select.replaceChildren(
      ...(options.length
        ? options
        : [element("option", { value: "", text: "No free times in the next 4 weeks" })]),
    );
  }

  function openDialog(booking, action) {
    dialog.booking = booking;
    dialog.action = action;
    const reschedule = action === "reschedule";
    $("booking-dialog-title").textContent = reschedule
      ? "Move this booking"
      : "Cancel this booking";
    $("booking-dialog-what").textContent =
      `${booking.eventType.title} with ${booking.attendeeName}, ${when(booking)}.` +
      (reschedule ? "" : " The invitee is told, with your reason.");
    $("booking-dialog-ok").textContent = reschedule ? "Move the booking" : "Cancel the booking";
    $("booking-dialog-close").textContent = reschedule ? "Close" : "Keep it";
    $("reschedule-field").hidden = !reschedule;
    $("booking-reason").value = "";
    $("booking-dialog-error").textContent = "";
    $("booking-dialog").showModal();
    if (reschedule) {
      loadSlots(booking).catch((error) => {
        $("booking-dialog-error").textContent = error.message;
      });
      $("reschedule-start").focus();
    } else {
      $("booking-reason").focus();
    }
  }

  async function submitDialog(event) {
    event.preventDefault();
    const { booking, action } = dialog;
    const reason = $("booking-reason").value.trim() || null;
    const error = $("booking-dialog-error");
    error.textContent = "";
    $("booking-dialog-ok").disabled = true;
    try {
      if (action === "reschedule") {
        const start = $("reschedule-start").value;
        if (!start) {
          error.textContent = "Please pick a new time.";
          return;
        }
        const { rescheduleBooking } = await request(
          RESCHEDULE,
          { id: booking.id, start, reason },
          getToken(),
        );
        upsertBooking(rescheduleBooking);
        announce(`Moved to ${when(rescheduleBooking)}.`);
      } else {
        const { cancelBooking } = await request(CANCEL, { id: booking.id, reason }, getToken());
        upsertBooking(cancelBooking);
        announce(`Cancelled: ${booking.attendeeName}, ${when(booking)}.`);
      }
      $("booking-dialog").close();
      document.querySelector(`li.booking[data-booking-id="${booking.id}"] button`)?.focus();
    } catch (failure) {
      error.textContent =
        failure.code === "CONFLICT"
          ? "That is no longer possible (the booking or the time changed). Please pick again."
          : failure.message;
    } finally {
      $("booking-dialog-ok").disabled = false;
    }
  }

  // ---- live ----------------------------------------------------------------------------------

  function setLiveStatus(status) {
    const node = $("live-status");
    node.dataset.state = status;
    node.textContent = LIVE_TEXT[status] ?? status;
  }

  function goLive() {
    const live = new LiveClient({
      connectionParams: () => ({ authorization: `Bearer ${getToken()}` }),
      onStatus: setLiveStatus,
      onConnected: ({ reconnect }) => {
        if (reconnect) catchUp().catch(() => {});
      },
    });
    live.subscribe(
      BOOKING_EVENTS,
      {},
      {
        next: ({ data }) => {
          const event = data?.bookingEvents;
          if (!event) return;
          upsertBooking(event.booking);
          const b = event.booking;
          const verb = {
            CREATED: "New booking",
            CANCELLED: "Cancelled",
            RESCHEDULED: "Moved",
            CONFIRMED: "Confirmed",
          }[event.kind];
          announce(`${verb}: ${b.eventType.title} with ${b.attendeeName}, ${when(b)}.`);
        },
      },
    );
    live.subscribe(
      NOTIFICATIONS,
      {},
      {
        next: ({ data }) => {
          if (data?.notifications) addNotifications([data.notifications]);
        },
      },
    );
    live.start();
    state.live = live;
    // Debugging aid and test hook: `bookNMeet.live.stop()` / `.start()` drop and restore the link.
    window.bookNMeet = { live };
  }

  function stop() {
    state.live?.stop();
    state.live = null;
    state.bookings.clear();
    state.notifications.clear();
  }

  $("mark-all-read").addEventListener("click", () => markRead([...state.notifications.keys()]));
  $("booking-dialog-form").addEventListener("submit", submitDialog);
  $("booking-dialog-close").addEventListener("click", () => $("booking-dialog").close());
  // Midnight moves today's bookings out of "Upcoming".
  window.setInterval(renderBookings, 60_000);

  return { load, goLive, stop };
}
