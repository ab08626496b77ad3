// The host's dashboard: sign in, today's and upcoming bookings and unread notifications, kept
// current over graphql-transport-ws (`bookingEvents`, `notifications`). After a dropped
// connection it re-subscribes and catches up from the `notifications` query.

import { initConsent } from "./consent.js";
import {
  GraphQLError,
  LiveClient,
  announce,
  element,
  request,
  storeToken,
  storedToken,
} from "./graphql.js";

const BOOKING_FIELDS = `id start end status attendeeName attendeeEmail
  eventType { id title }`;
const NOTIFICATION_FIELDS = "id kind message createdAt readAt bookingId";

const LOG_IN = `mutation LogIn($email: String!, $password: String!) {
  logIn(email: $email, password: $password) { token user { id name } }
}`;
const LOG_OUT = "mutation LogOut { logOut }";
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
const BOOKING_EVENTS = `subscription BookingEvents {
  bookingEvents { kind occurredAt booking { ${BOOKING_FIELDS} } }
}`;
const NOTIFICATIONS = `subscription Notifications { notifications { ${NOTIFICATION_FIELDS} } }`;

const STATUS_TEXT = { PENDING: "Awaiting confirmation", CONFIRMED: "Confirmed", CANCELLED: "Cancelled" };
const LIVE_TEXT = {
  connecting: "Connecting…",
  live: "Live",
  offline: "Offline — reconnecting",
  refused: "Disconnected — please sign in again",
};

const $ = (id) => document.getElementById(id);

const state = {
  token: storedToken(),
  me: null,
  bookings: new Map(), // id → booking
  notifications: new Map(), // id → unread notification
  live: null,
};

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

// ---- rendering -------------------------------------------------------------------------------

function bookingItem(booking) {
  const start = new Date(booking.start);
  const end = new Date(booking.end);
  const cancelled = booking.status === "CANCELLED";
  const when = element(
    "time",
    { datetime: booking.start, class: "when" },
    `${dayFormat.format(start)}, ${timeFormat.format(start)}–${timeFormat.format(end)}`,
  );
  const what = element(
    "span",
    { class: "what" },
    element("span", { class: "title", text: booking.eventType.title }),
    " with ",
    element("span", { class: "who", text: booking.attendeeName }),
    " ",
    element("span", { class: "email", text: `<${booking.attendeeEmail}>` }),
  );
  const details = element("span", { class: "details" }, when, " ", what);
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
  $("today").replaceChildren(...todays.map(bookingItem));
  $("upcoming").replaceChildren(...upcoming.map(bookingItem));
  $("today-empty").hidden = todays.length > 0;
  $("upcoming-empty").hidden = upcoming.length > 0;
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

// ---- data ------------------------------------------------------------------------------------

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
  const data = await request(DASHBOARD, { from: startOfDay(new Date()).toISOString() }, state.token);
  if (!data.me) throw new GraphQLError([{ message: "Signed out.", extensions: { code: "UNAUTHENTICATED" } }]);
  state.me = data.me;
  state.bookings = new Map(data.bookings.edges.map((e) => [e.node.id, e.node]));
  state.notifications = new Map(data.notifications.edges.map((e) => [e.node.id, e.node]));
  renderBookings();
  renderNotifications();
}

/** After a reconnect: unread notifications we have not seen name the bookings that changed. */
async function catchUp() {
  const { notifications } = await request(UNREAD, {}, state.token);
  const fresh = addNotifications(notifications.edges.map((e) => e.node));
  const ids = [...new Set(fresh.map((n) => n.bookingId).filter(Boolean))];
  const found = await Promise.all(
    ids.map((id) => request(BOOKING, { id }, state.token).catch(() => ({ booking: null }))),
  );
  for (const { booking } of found) if (booking) upsertBooking(booking);
  if (fresh.length) announce(`${fresh.length} update${fresh.length > 1 ? "s" : ""} while offline.`);
}

async function markRead(ids) {
  if (!ids.length) return;
  try {
    await request(MARK_READ, { ids }, state.token);
  } catch (error) {
    announce(error.message);
    return;
  }
  for (const id of ids) state.notifications.delete(id);
  renderNotifications();
  announce(ids.length === 1 ? "Marked as read." : `${ids.length} notifications marked as read.`);
}

// ---- live ------------------------------------------------------------------------------------

function setLiveStatus(status) {
  const node = $("live-status");
  node.dataset.state = status;
  node.textContent = LIVE_TEXT[status] ?? status;
}

function goLive() {
  const live = new LiveClient({
    connectionParams: () => ({ authorization: `Bearer ${state.token}` }),
    onStatus: setLiveStatus,
    onConnected: ({ reconnect }) => {
      if (reconnect) catchUp().catch(() => {});
    },
  });
  live.subscribe(BOOKING_EVENTS, {}, {
    next: ({ data }) => {
      const event = data?.bookingEvents;
      if (!event) return;
      upsertBooking(event.booking);
      const b = event.booking;
      const when = `${dayFormat.format(new Date(b.start))} ${timeFormat.format(new Date(b.start))}`;
      const verb = {
        CREATED: "New booking",
        CANCELLED: "Cancelled",
        RESCHEDULED: "Moved",
        CONFIRMED: "Confirmed",
      }[event.kind];
      announce(`${verb}: ${b.eventType.title} with ${b.attendeeName}, ${when}.`);
    },
  });
  live.subscribe(NOTIFICATIONS, {}, {
    next: ({ data }) => {
      if (data?.notifications) addNotifications([data.notifications]);
    },
  });
  live.start();
  state.live = live;
  // Debugging aid and test hook: `bookNMeet.live.stop()` / `.start()` drop and restore the link.
  window.bookNMeet = { live };
}

// ---- sign-in ---------------------------------------------------------------------------------

function showBoard() {
  $("sign-in").hidden = true;
  $("board").hidden = false;
  $("account").hidden = false;
  $("me-name").textContent = state.me.name;
  $("zone-hint").textContent = `Times are shown in your time zone, ${zone}.`;
}

function showSignIn() {
  $("board").hidden = true;
  $("account").hidden = true;
  $("sign-in").hidden = false;
}

async function enter() {
  await load();
  showBoard();
  goLive();
}

async function signOut() {
  const token = state.token;
  state.live?.stop();
  state.live = null;
  state.token = null;
  state.me = null;
  storeToken(null);
  showSignIn();
  $("email").focus();
  announce("Signed out.");
  if (token) await request(LOG_OUT, {}, token).catch(() => {});
}

function main() {
  const consent = initConsent({ getToken: () => state.token });

  $("sign-in-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = $("sign-in-error");
    const email = $("email").value.trim();
    const password = $("password").value;
    error.textContent = "";
    if (!email || !password) {
      error.textContent = "Please enter your e-mail and password.";
      (email ? $("password") : $("email")).focus();
      return;
    }
    $("sign-in-button").disabled = true;
    try {
      const { logIn } = await request(LOG_IN, { email, password });
      state.token = logIn.token;
      storeToken(logIn.token);
      $("password").value = "";
      await enter();
      $("board-title").focus();
      consent.signedIn(logIn.token);
    } catch (failure) {
      error.textContent =
        failure.code === "UNAUTHENTICATED" ? "Wrong e-mail or password." : failure.message;
      $("password").focus();
    } finally {
      $("sign-in-button").disabled = false;
    }
  });
  $("sign-out").addEventListener("click", signOut);
  $("mark-all-read").addEventListener("click", () => markRead([...state.notifications.keys()]));
  $("board-title").setAttribute("tabindex", "-1");

  // Midnight moves today's bookings out of "Upcoming".
  window.setInterval(renderBookings, 60_000);

  if (state.token) {
    enter()
      .then(() => consent.signedIn(state.token))
      .catch(() => {
        state.token = null;
        storeToken(null);
        showSignIn();
      });
  }
}

main();
