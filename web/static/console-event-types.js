// The console's event types: the list (with each booking page's link), create and edit
// (title, link name, duration, seats, location, limits, confirmation, questions), hide and show
// (a hidden one is off its booking page for now, issue #21) and delete (retired: no longer
// bookable, its bookings stay).

import { announce, element, request } from "./graphql.js";
import { $, numberOrNull, submitting } from "./console-common.js";

const FIELDS = `id title slug description durationMinutes locationKind location
  bufferBeforeMinutes bufferAfterMinutes minimumNoticeMinutes maxBookingsPerDay
  maxBookingsPerWeek maxBookingsPerMonth horizonDays requiresConfirmation seatsPerSlot
  minimumCancelNoticeMinutes hidden questions { key label kind required options }`;
const LIST = `query MyEventTypes { myEventTypes { ${FIELDS} } }`;
const CREATE = `mutation CreateEventType($input: EventTypeInput!) {
  createEventType(input: $input) { ${FIELDS} }
}`;
const UPDATE = `mutation UpdateEventType($id: ID!, $input: EventTypeUpdateInput!) {
  updateEventType(id: $id, input: $input) { ${FIELDS} }
}`;
const DELETE = "mutation DeleteEventType($id: ID!) { deleteEventType(id: $id) }";
const SET_HIDDEN = `mutation SetEventTypeHidden($id: ID!, $hidden: Boolean!) {
  updateEventType(id: $id, input: { hidden: $hidden }) { id hidden }
}`;

const KINDS = {
  SHORT_TEXT: "Short text",
  LONG_TEXT: "Long text",
  SINGLE_CHOICE: "One of several",
  MULTIPLE_CHOICE: "Several of several",
  CHECKBOX: "Yes / no",
  PHONE: "Phone number",
};
const CHOICE = new Set(["SINGLE_CHOICE", "MULTIPLE_CHOICE"]);
const LOCATION_TEXT = {
  VIDEO: "Video call",
  PHONE: "Phone",
  IN_PERSON: "In person",
  OTHER: "Other",
};

function slugOf(text) {
  return text
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 100);
}

export function createEventTypes(getToken) {
  const state = { types: [], editing: null, questionCount: 0 };

  function questionRow(question = null) {
    const n = ++state.questionCount;
    const id = (name) => `q${n}-${name}`;
    const kind = element(
      "select",
      { id: id("kind"), class: "q-kind" },
      ...Object.entries(KINDS).map(([value, text]) => element("option", { value, text })),
    );
    kind.value = question?.kind ?? "SHORT_TEXT";
    const options = element("input", {
      id: id("options"),
      class: "q-options",
      value: question?.options?.join(", ") ?? "",
      "aria-describedby": id("options-hint"),
    });
    const optionsField = element(
      "div",
      { class: "field" },
      element("label", { for: id("options"), text: "Options" }),
      options,
      element("span", { id: id("options-hint"), class: "hint", text: "Separated by commas." }),
    );
    const syncOptions = () => {
      optionsField.hidden = !CHOICE.has(kind.value);
    };
    kind.addEventListener("change", syncOptions);
    syncOptions();
    const remove = element("button", { type: "button", class: "small", text: "Remove question" });
    const row = element(
      "li",
      { class: "question", "data-key": question?.key ?? "" },
      element(
        "div",
        { class: "grid" },
        element(
          "div",
          { class: "field" },
          element("label", { for: id("label"), text: "Question" }),
          element("input", {
            id: id("label"),
            class: "q-label",
            value: question?.label ?? "",
            maxlength: "200",
          }),
        ),
        element(
          "div",
          { class: "field" },
          element("label", { for: id("kind"), text: "Answer" }),
          kind,
        ),
        optionsField,
      ),
      element(
        "div",
        { class: "check" },
        element("input", {
          id: id("required"),
          class: "q-required",
          type: "checkbox",
          checked: question?.required ?? false,
        }),
        element("label", { for: id("required"), text: "An answer is required" }),
      ),
      remove,
    );
    remove.addEventListener("click", () => {
      row.remove();
      $("et-add-question").focus();
    });
    return row;
  }

  function questionsInput() {
    const used = new Set();
    return [...$("et-questions").querySelectorAll("li.question")]
      .map((row) => {
        const label = row.querySelector(".q-label").value.trim();
        if (!label) return null;
        const kind = row.querySelector(".q-kind").value;
        let key = row.dataset.key || slugOf(label).slice(0, 40) || "question";
        while (used.has(key)) key = `${key.slice(0, 36)}-${used.size}`;
        used.add(key);
        const options = row
          .querySelector(".q-options")
          .value.split(",")
          .map((o) => o.trim())
          .filter(Boolean);
        return {
          key,
          label,
          kind,
          required: row.querySelector(".q-required").checked,
          options: CHOICE.has(kind) ? options : null,
        };
      })
      .filter(Boolean);
  }

  function fill(type) {
    $("event-type-form-title").textContent = type ? `Edit “${type.title}”` : "New event type";
    $("et-title").value = type?.title ?? "";
    $("et-slug").value = type?.slug ?? "";
    $("et-duration").value = type?.durationMinutes ?? 30;
    $("et-seats").value = type?.seatsPerSlot ?? 1;
    $("et-description").value = type?.description ?? "";
    $("et-location-kind").value = type?.locationKind ?? "VIDEO";
    $("et-location").value = type?.location ?? "";
    $("et-notice").value = type?.minimumNoticeMinutes ?? 0;
    $("et-buffer-before").value = type?.bufferBeforeMinutes ?? 0;
    $("et-buffer-after").value = type?.bufferAfterMinutes ?? 0;
    $("et-per-day").value = type?.maxBookingsPerDay ?? "";
    $("et-per-week").value = type?.maxBookingsPerWeek ?? "";
    $("et-per-month").value = type?.maxBookingsPerMonth ?? "";
    $("et-horizon").value = type?.horizonDays ?? "";
    $("et-cancel-notice").value = type?.minimumCancelNoticeMinutes ?? 0;
    $("et-confirm").checked = type?.requiresConfirmation ?? false;
    $("et-questions").replaceChildren(...(type?.questions ?? []).map(questionRow));
    $("event-type-error").textContent = "";
  }

  function openForm(type) {
    state.editing = type;
    fill(type);
    $("event-type-form").hidden = false;
    $("et-title").focus();
  }

  function closeForm() {
    $("event-type-form").hidden = true;
    state.editing = null;
    $("new-event-type").focus();
  }

  function input() {
    const value = {
      title: $("et-title").value.trim(),
      slug: $("et-slug").value.trim() || slugOf($("et-title").value),
      durationMinutes: numberOrNull($("et-duration")),
      seatsPerSlot: numberOrNull($("et-seats")) ?? 1,
      description: $("et-description").value.trim() || null,
      locationKind: $("et-location-kind").value,
      location: $("et-location").value.trim() || null,
      minimumNoticeMinutes: numberOrNull($("et-notice")) ?? 0,
      bufferBeforeMinutes: numberOrNull($("et-buffer-before")) ?? 0,
      bufferAfterMinutes: numberOrNull($("et-buffer-after")) ?? 0,
      maxBookingsPerDay: numberOrNull($("et-per-day")),
      maxBookingsPerWeek: numberOrNull($("et-per-week")),
      maxBookingsPerMonth: numberOrNull($("et-per-month")),
      horizonDays: numberOrNull($("et-horizon")),
      minimumCancelNoticeMinutes: numberOrNull($("et-cancel-notice")) ?? 0,
      requiresConfirmation: $("et-confirm").checked,
      questions: questionsInput(),
    };
    return value;
  }

  function typeItem(type) {
    const edit = element("button", {
      type: "button",
      class: "small",
      text: "Edit",
      "aria-label": `Edit ${type.title}`,
    });
    edit.addEventListener("click", () => openForm(type));
    const remove = element("button", {
      type: "button",
      class: "small danger",
      text: "Delete",
      "aria-label": `Delete ${type.title}`,
    });
    remove.addEventListener("click", () => deleteType(type, remove));
    const toggle = element("button", {
      type: "button",
      class: "small hide-toggle",
      text: type.hidden ? "Show" : "Hide",
      "aria-label": type.hidden
        ? `Show ${type.title} to bookers`
        : `Hide ${type.title} from bookers`,
    });
    toggle.addEventListener("click", () => setHidden(type, !type.hidden, toggle));
    const meta = [
      `${type.durationMinutes} min`,
      LOCATION_TEXT[type.locationKind],
      type.seatsPerSlot > 1 ? `${type.seatsPerSlot} seats` : null,
      type.requiresConfirmation ? "you confirm each booking" : null,
      type.questions.length
        ? `${type.questions.length} question${type.questions.length > 1 ? "s" : ""}`
        : null,
    ].filter(Boolean);
    return element(
      "li",
      { class: "item", "data-event-type-id": type.id },
      element(
        "div",
        { class: "item-main" },
        element(
          "span",
          { class: "item-title" },
          element("strong", { text: type.title }),
          type.hidden ? element("span", { class: "status status-hidden", text: "Hidden" }) : null,
        ),
        element("span", { class: "meta", text: meta.join(" · ") }),
        type.hidden
          ? element("span", {
              class: "meta",
              text: "Bookers cannot see it: its booking page says “not found”. Bookings stay.",
            })
          : element("a", { href: `/book/${type.id}`, text: `Booking page: /book/${type.id}` }),
      ),
      element("div", { class: "actions" }, edit, toggle, remove),
    );
  }

  function render() {
    $("event-type-list").replaceChildren(...state.types.map(typeItem));
    $("event-types-empty").hidden = state.types.length > 0;
  }

  async function load() {
    const { myEventTypes } = await request(LIST, {}, getToken());
    state.types = myEventTypes;
    render();
  }

  async function setHidden(type, hidden, button) {
    button.disabled = true;
    try {
      await request(SET_HIDDEN, { id: type.id, hidden }, getToken());
      announce(
        hidden
          ? `${type.title} is hidden: its booking page says “not found”.`
          : `${type.title} is shown: bookers can book it again.`,
      );
      await load();
      // Keyboard users stay where they were: on the same event type's toggle.
      const item = $("event-type-list").querySelector(`[data-event-type-id="${type.id}"]`);
      item?.querySelector(".hide-toggle")?.focus();
    } catch (error) {
      button.disabled = false;
      announce(error.message);
    }
  }

  async function deleteType(type, button) {
    if (!window.confirm(`Delete “${type.title}”? Its booking page closes; its bookings stay.`))
      return;
    button.disabled = true;
    try {
      await request(DELETE, { id: type.id }, getToken());
      announce(`Deleted ${type.title}.`);
      await load();
      $("new-event-type").focus();
    } catch (error) {
      button.disabled = false;
      announce(error.message);
    }
  }

  $("new-event-type").addEventListener("click", () => openForm(null));
  $("event-type-cancel").addEventListener("click", closeForm);
  $("et-add-question").addEventListener("click", () => {
    const row = questionRow();
    $("et-questions").append(row);
    row.querySelector(".q-label").focus();
  });
  $("et-title").addEventListener("input", () => {
    if (!state.editing) $("et-slug").value = slugOf($("et-title").value);
  });
  $("event-type-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = input();
    if (!value.title || !value.durationMinutes) {
      $("event-type-error").textContent = "Please give a title and a duration.";
      return;
    }
    await submitting(
      $("event-type-save"),
      $("event-type-error"),
      async () => {
        if (state.editing) {
          // Empty limits stay as they are: the API reads null as "unchanged".
          const changes = Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null));
          await request(UPDATE, { id: state.editing.id, input: changes }, getToken());
          announce(`Saved ${value.title}.`);
        } else {
          await request(CREATE, { input: value }, getToken());
          announce(`Created ${value.title}.`);
        }
        $("event-type-form").hidden = true;
        state.editing = null;
        await load();
        $("event-types-title").focus();
      },
      { CONFLICT: "You already have an event type with this link name." },
    );
  });

  return { load };
}
