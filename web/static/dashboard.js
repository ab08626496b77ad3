// The host console at /dashboard (and /reset-password): signed out it offers log in, sign up and
// password reset (console-auth.js); signed in, one section at a time, named by the address's
// hash: bookings (live), event types, hours, calendars, webhooks, account. Each section is its
// own module and loads its data when shown.

import { initConsent } from "./consent.js";
import { announce, request, storeToken, storedToken } from "./graphql.js";
import { initAuth } from "./console-auth.js";
import { createBookings } from "./console-bookings.js";
import { createEventTypes } from "./console-event-types.js";
import { createHours } from "./console-hours.js";
import { createCalendars } from "./console-calendars.js";
import { createWebhooks } from "./console-webhooks.js";
import { createAccount } from "./console-account.js";
import { $ } from "./console-common.js";

const LOG_OUT = "mutation LogOut { logOut }";

const state = { token: storedToken(), me: null, current: null };
const getToken = () => state.token;

const bookings = createBookings(getToken);
const sections = {
  bookings: { load: async () => {}, heading: "board-title" },
  "event-types": { ...createEventTypes(getToken), heading: "event-types-title" },
  hours: { ...createHours(getToken), heading: "hours-title" },
  calendars: { ...createCalendars(getToken), heading: "calendars-title" },
  webhooks: { ...createWebhooks(getToken), heading: "webhooks-title" },
  "account-settings": { ...createAccount(getToken, () => signOut()), heading: "account-title" },
};

function sectionName() {
  const name = window.location.hash.slice(1);
  return name in sections ? name : "bookings";
}

function showSection(focus) {
  const name = sectionName();
  for (const key of Object.keys(sections)) $(`section-${key}`).hidden = key !== name;
  for (const link of document.querySelectorAll(".console-nav a")) {
    if (link.dataset.section === name) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  if (focus) $(sections[name].heading).focus();
  if (state.current !== name || focus) {
    state.current = name;
    sections[name].load().catch((error) => announce(error.message));
  }
}

function showBoard() {
  $("sign-in").hidden = true;
  $("board").hidden = false;
  $("account").hidden = false;
  $("me-name").textContent = state.me.name;
  document.title = "Host console · Book N Meet";
}

function showSignIn(focus = false) {
  $("board").hidden = true;
  $("account").hidden = true;
  $("sign-in").hidden = false;
  auth.route(focus);
}

async function enter() {
  state.me = await bookings.load();
  showBoard();
  bookings.goLive();
  state.current = null;
  showSection(false);
}

async function signOut() {
  const token = state.token;
  bookings.stop();
  state.token = null;
  state.me = null;
  storeToken(null);
  if (window.location.hash) window.history.replaceState(null, "", "/dashboard");
  showSignIn();
  $("email").focus();
  announce("Signed out.");
  if (token) await request(LOG_OUT, {}, token).catch(() => {});
}

const consent = initConsent({ getToken });
const auth = initAuth({
  onSignedIn: async (token) => {
    state.token = token;
    storeToken(token);
    await enter();
    $(sections[sectionName()].heading).focus();
    consent.signedIn(token);
  },
});

$("sign-out").addEventListener("click", signOut);
$("board-title").setAttribute("tabindex", "-1");
window.addEventListener("hashchange", () => {
  if (state.me) showSection(true);
  else showSignIn(true);
});

if (state.token && !auth.resetToken) {
  enter()
    .then(() => consent.signedIn(state.token))
    .catch(() => {
      state.token = null;
      storeToken(null);
      showSignIn();
    });
} else {
  showSignIn();
}
