// The console's linked calendars: busy times from an iCalendar feed, a CalDAV calendar or a
// Google / Microsoft account (OAuth, the provider's page opens). Linking needs the
// CALENDAR_ACCESS consent, which this section asks for first; it can be withdrawn here too.

import { announce, element, request } from "./graphql.js";
import { $, submitting } from "./console-common.js";

const CALENDAR_FIELDS = "id name status lastSyncedAt lastError busyCount kind writesBookings";
const LIST = `query Calendars {
  calendars { ${CALENDAR_FIELDS} }
  consents { purpose granted }
}`;
const CONSENT = `mutation CalendarConsent($granted: Boolean!) {
  setConsent(purpose: CALENDAR_ACCESS, granted: $granted) { purpose granted }
}`;
const LINK_FEED = `mutation LinkFeed($url: String!, $name: String) {
  linkCalendar(url: $url, name: $name) { ${CALENDAR_FIELDS} }
}`;
const LINK_CALDAV = `mutation LinkCalDav($input: CalDavCalendarInput!) {
  linkCalDavCalendar(input: $input) { ${CALENDAR_FIELDS} }
}`;
const CONNECT =
  "mutation Connect($provider: CalendarProvider!) { connectCalendar(provider: $provider) }";
const SYNC = `mutation Sync($id: ID!) { syncCalendar(id: $id) { ${CALENDAR_FIELDS} } }`;
const UNLINK = "mutation Unlink($id: ID!) { unlinkCalendar(id: $id) }";

const KIND_TEXT = { ICS_FEED: "Feed", CALDAV: "CalDAV", GOOGLE: "Google", MICROSOFT: "Microsoft" };
const stampFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export function createCalendars(getToken) {
  const CONSENT_TEXT = $("calendar-consent-text").textContent.trim().replace(/\s+/g, " ");
  function calendarItem(calendar) {
    const sync = element("button", {
      type: "button",
      class: "small",
      text: "Sync now",
      "aria-label": `Sync ${calendar.name} now`,
    });
    const unlink = element("button", {
      type: "button",
      class: "small danger",
      text: "Unlink",
      "aria-label": `Unlink ${calendar.name}`,
    });
    sync.addEventListener("click", async () => {
      sync.disabled = true;
      try {
        const { syncCalendar } = await request(SYNC, { id: calendar.id }, getToken());
        announce(
          syncCalendar.lastError
            ? `Sync failed: ${syncCalendar.lastError}`
            : `${calendar.name} synced.`,
        );
        await load();
      } catch (error) {
        announce(error.message);
      } finally {
        sync.disabled = false;
      }
    });
    unlink.addEventListener("click", async () => {
      if (!window.confirm(`Unlink ${calendar.name}? Its busy times are forgotten.`)) return;
      try {
        await request(UNLINK, { id: calendar.id }, getToken());
        announce(`${calendar.name} unlinked.`);
        await load();
        $("calendars-title").focus();
      } catch (error) {
        announce(error.message);
      }
    });
    const facts = [
      KIND_TEXT[calendar.kind] ?? calendar.kind,
      calendar.status,
      `${calendar.busyCount} busy times`,
      calendar.lastSyncedAt
        ? `synced ${stampFormat.format(new Date(calendar.lastSyncedAt))}`
        : "not synced yet",
      calendar.writesBookings ? "your bookings are written into it" : null,
    ].filter(Boolean);
    return element(
      "li",
      { class: "item", "data-calendar-id": calendar.id },
      element(
        "div",
        { class: "item-main" },
        element("strong", { text: calendar.name }),
        element("span", { class: "meta", text: facts.join(" · ") }),
        calendar.lastError ? element("span", { class: "error", text: calendar.lastError }) : null,
      ),
      element("div", { class: "actions" }, sync, unlink),
    );
  }

  function render({ calendars, consents }) {
    const granted = consents.some((c) => c.purpose === "CALENDAR_ACCESS" && c.granted);
    $("calendar-list").replaceChildren(...calendars.map(calendarItem));
    $("calendars-empty").hidden = calendars.length > 0;
    $("calendar-forms").hidden = !granted;
    $("calendar-consent-text").textContent = granted
      ? "You allow Book N Meet to read the busy times in your linked calendars (and to write " +
        "your bookings into those you chose). Withdrawing unlinks every calendar and deletes " +
        "what was read from them."
      : CONSENT_TEXT;
    $("calendar-consent-grant").textContent = granted
      ? "Withdraw calendar access"
      : "Allow calendar access";
    $("calendar-consent-grant").dataset.granted = String(granted);
    $("calendar-consent-grant").classList.toggle("primary", !granted);
  }

  async function load() {
    render(await request(LIST, {}, getToken()));
  }

  $("calendar-consent-grant").addEventListener("click", async (event) => {
    const withdraw = event.target.dataset.granted === "true";
    if (
      withdraw &&
      !window.confirm("Withdraw calendar access? Your linked calendars are unlinked.")
    )
      return;
    await submitting(event.target, $("calendar-consent-error"), async () => {
      await request(CONSENT, { granted: !withdraw }, getToken());
      await load();
      announce(
        withdraw
          ? "Calendar access withdrawn."
          : "Calendar access allowed: you can link calendars now.",
      );
      (withdraw ? $("calendar-consent-grant") : $("connect-google")).focus();
    });
  });

  for (const [id, provider] of [
    ["connect-google", "GOOGLE"],
    ["connect-microsoft", "MICROSOFT"],
  ]) {
    $(id).addEventListener("click", async (event) => {
      await submitting(event.target, $("connect-error"), async () => {
        const { connectCalendar } = await request(CONNECT, { provider }, getToken());
        window.location.assign(connectCalendar);
      });
    });
  }

  $("feed-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const url = $("feed-url").value.trim();
    if (!url) {
      $("feed-error").textContent = "Please paste the feed's address.";
      return;
    }
    await submitting($("feed-save"), $("feed-error"), async () => {
      await request(LINK_FEED, { url, name: $("feed-name").value.trim() || null }, getToken());
      event.target.reset();
      announce("Feed linked.");
      await load();
    });
  });

  $("caldav-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = {
      url: $("caldav-url").value.trim(),
      username: $("caldav-username").value.trim(),
      password: $("caldav-password").value,
      name: $("caldav-name").value.trim() || null,
      writeBookings: $("caldav-write").checked,
    };
    if (!input.url || !input.username || !input.password) {
      $("caldav-error").textContent = "Please give the address, user name and password.";
      return;
    }
    await submitting($("caldav-save"), $("caldav-error"), async () => {
      await request(LINK_CALDAV, { input }, getToken());
      event.target.reset();
      announce("Calendar linked.");
      await load();
    });
  });

  return { load };
}
