// The console's hours: the host's time zone and weekly working hours (any number of intervals
// a day, wall-clock times in that zone), and date overrides (other hours on one date, or a day
// off).

import { announce, element, request } from "./graphql.js";
import { $, fillZones, submitting } from "./console-common.js";

const SCHEDULE_FIELDS = `timeZone rules { weekday start end }
  overrides { date intervals { start end } }`;
const SCHEDULE = `query Schedule { schedule { ${SCHEDULE_FIELDS} } }`;
const SET_WEEKLY = `mutation SetWeekly($timeZone: String!, $rules: [WeeklyRuleInput!]!) {
  setWeeklyAvailability(timeZone: $timeZone, rules: $rules) { ${SCHEDULE_FIELDS} }
}`;
const SET_OVERRIDE = `mutation SetOverride($date: Date!, $intervals: [TimeRangeInput!]!) {
  setDateOverride(date: $date, intervals: $intervals) { ${SCHEDULE_FIELDS} }
}`;
const CLEAR_OVERRIDE = "mutation ClearOverride($date: Date!) { clearDateOverride(date: $date) }";

const DAYS = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"];
const DAY_NAMES = {
  MONDAY: "Monday",
  TUESDAY: "Tuesday",
  WEDNESDAY: "Wednesday",
  THURSDAY: "Thursday",
  FRIDAY: "Friday",
  SATURDAY: "Saturday",
  SUNDAY: "Sunday",
};

export function createHours(getToken) {
  let count = 0;

  function intervalRow(day, start = "09:00", end = "17:00") {
    const n = ++count;
    const remove = element("button", {
      type: "button",
      class: "small",
      text: "Remove",
      "aria-label": `Remove ${DAY_NAMES[day]} ${start}–${end}`,
    });
    const row = element(
      "li",
      { class: "interval" },
      element("label", {
        for: `h${n}-start`,
        class: "visually-hidden",
        text: `${DAY_NAMES[day]} from`,
      }),
      element("input", {
        id: `h${n}-start`,
        type: "time",
        class: "h-start",
        value: start,
        required: true,
      }),
      element("span", { "aria-hidden": "true", text: "–" }),
      element("label", {
        for: `h${n}-end`,
        class: "visually-hidden",
        text: `${DAY_NAMES[day]} until`,
      }),
      element("input", {
        id: `h${n}-end`,
        type: "time",
        class: "h-end",
        value: end,
        required: true,
      }),
      remove,
    );
    remove.addEventListener("click", () => {
      const list = row.parentElement;
      row.remove();
      syncEmpty(list);
      $(`add-${day.toLowerCase()}`).focus();
    });
    return row;
  }

  function syncEmpty(list) {
    list.nextElementSibling.hidden = list.children.length > 0;
  }

  function renderWeek(rules) {
    const week = DAYS.map((day) => {
      const list = element(
        "ul",
        { class: "intervals", id: `hours-${day.toLowerCase()}` },
        ...rules.filter((r) => r.weekday === day).map((r) => intervalRow(day, r.start, r.end)),
      );
      const add = element("button", {
        type: "button",
        class: "small",
        id: `add-${day.toLowerCase()}`,
        text: "Add hours",
        "aria-label": `Add hours on ${DAY_NAMES[day]}`,
      });
      const empty = element("p", { class: "empty", text: "Not available" });
      add.addEventListener("click", () => {
        const previous = list.lastElementChild;
        const start = previous ? previous.querySelector(".h-end").value : "09:00";
        const row = previous
          ? intervalRow(day, start, start < "22:00" ? "23:00" : "23:59")
          : intervalRow(day);
        list.append(row);
        syncEmpty(list);
        row.querySelector("input").focus();
      });
      const group = element(
        "div",
        { class: "day", role: "group", "aria-labelledby": `day-${day.toLowerCase()}` },
        element("h3", { id: `day-${day.toLowerCase()}`, text: DAY_NAMES[day] }),
        list,
        empty,
        add,
      );
      syncEmpty(list);
      return group;
    });
    $("week").replaceChildren(...week);
  }

  const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeZone: "UTC" });

  function renderOverrides(overrides) {
    const items = [...overrides]
      .sort((a, b) => a.date.localeCompare(b.date))
      .map((o) => {
        const text = o.intervals.length
          ? o.intervals.map((i) => `${i.start}–${i.end}`).join(", ")
          : "Day off";
        const label = dateFormat.format(new Date(`${o.date}T00:00:00Z`));
        const clear = element("button", {
          type: "button",
          class: "small",
          text: "Clear",
          "aria-label": `Clear the override on ${label}`,
        });
        clear.addEventListener("click", async () => {
          clear.disabled = true;
          try {
            await request(CLEAR_OVERRIDE, { date: o.date }, getToken());
            announce(`Cleared ${label}.`);
            await load();
            $("override-date").focus();
          } catch (error) {
            clear.disabled = false;
            announce(error.message);
          }
        });
        return element(
          "li",
          { class: "item", "data-date": o.date },
          element("span", {}, element("strong", { text: label }), ` ${text}`),
          clear,
        );
      });
    $("override-list").replaceChildren(...items);
  }

  function render(schedule) {
    fillZones($("hours-zone"), schedule.timeZone);
    renderWeek(schedule.rules);
    renderOverrides(schedule.overrides);
  }

  async function load() {
    const { schedule } = await request(SCHEDULE, {}, getToken());
    render(schedule);
  }

  $("hours-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const rules = DAYS.flatMap((day) =>
      [...$(`hours-${day.toLowerCase()}`).querySelectorAll("li.interval")].map((row) => ({
        weekday: day,
        start: row.querySelector(".h-start").value,
        end: row.querySelector(".h-end").value,
      })),
    );
    await submitting($("hours-save"), $("hours-error"), async () => {
      const { setWeeklyAvailability } = await request(
        SET_WEEKLY,
        { timeZone: $("hours-zone").value, rules },
        getToken(),
      );
      render(setWeeklyAvailability);
      announce("Weekly hours saved.");
    });
  });

  $("override-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const date = $("override-date").value;
    const start = $("override-start").value;
    const end = $("override-end").value;
    if (!date) {
      $("override-error").textContent = "Please pick a date.";
      return;
    }
    if (Boolean(start) !== Boolean(end)) {
      $("override-error").textContent = "Give both times, or neither for a day off.";
      return;
    }
    const intervals = start ? [{ start, end }] : [];
    await submitting($("override-save"), $("override-error"), async () => {
      const { setDateOverride } = await request(SET_OVERRIDE, { date, intervals }, getToken());
      renderOverrides(setDateOverride.overrides);
      event.target.reset();
      announce("Date saved.");
    });
  });

  return { load };
}
