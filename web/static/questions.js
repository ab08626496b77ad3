// The event type's booking questions as form fields (book.js), and their answers as
// `AnswerInput`s: one per answered question, one per chosen option of a MULTIPLE_CHOICE.

import { element } from "./graphql.js";

const fieldId = (question) => `answer-${question.key}`;

function label(question, forId) {
  return element(
    "label",
    forId ? { for: forId } : {},
    question.label,
    question.required ? null : element("span", { class: "optional", text: " (optional)" }),
  );
}

function choices(question, type) {
  const legend = element(
    "legend",
    {},
    question.label,
    question.required ? null : element("span", { class: "optional", text: " (optional)" }),
  );
  return element(
    "fieldset",
    { class: "choice", id: fieldId(question), "data-key": question.key },
    legend,
    ...question.options.map((option, index) =>
      element(
        "label",
        { class: "inline" },
        element("input", {
          type,
          name: fieldId(question),
          value: option,
          "data-answer": question.key,
          required: type === "radio" && question.required && index === 0,
        }),
        ` ${option}`,
      ),
    ),
  );
}

function field(question) {
  const id = fieldId(question);
  const common = { id, name: id, "data-answer": question.key, required: question.required };
  switch (question.kind) {
    case "LONG_TEXT":
      return element(
        "div",
        { class: "field" },
        label(question, id),
        element("textarea", { ...common, rows: "3", maxlength: "5000" }),
      );
    case "SINGLE_CHOICE":
      return choices(question, "radio");
    case "MULTIPLE_CHOICE":
      return choices(question, "checkbox");
    case "CHECKBOX":
      return element(
        "div",
        { class: "field check" },
        element("input", { ...common, type: "checkbox", value: "true" }),
        label(question, id),
      );
    case "PHONE":
      return element(
        "div",
        { class: "field" },
        label(question, id),
        element("input", {
          ...common,
          type: "tel",
          autocomplete: "tel",
          placeholder: "+44 20 7946 0000",
        }),
      );
    default:
      return element(
        "div",
        { class: "field" },
        label(question, id),
        element("input", { ...common, maxlength: "500" }),
      );
  }
}

/** Puts the questions' fields into `container` (empty when there are none). */
export function renderQuestions(container, questions) {
  container.replaceChildren(...questions.map(field));
}

/** The answers given in `container`, as AnswerInput objects. */
export function answersFrom(container) {
  const answers = [];
  for (const input of container.querySelectorAll("[data-answer]")) {
    const key = input.dataset.answer;
    if (input.type === "radio" || (input.type === "checkbox" && input.value !== "true")) {
      if (input.checked) answers.push({ key, value: input.value });
    } else if (input.type === "checkbox") {
      answers.push({ key, value: input.checked ? "true" : "false" });
    } else if (input.value.trim()) {
      answers.push({ key, value: input.value.trim() });
    }
  }
  return answers;
}

/**
 * For an error naming `answers.<key>`: focuses that question's field and returns the message
 * in words ("Topic: required"); null for any other error.
 */
export function answerError(container, failure) {
  const field = failure.errors?.[0]?.extensions?.field;
  const key = field?.startsWith("answers.") ? field.slice("answers.".length) : null;
  if (!key) return null;
  const target = [...container.querySelectorAll("[data-answer]")].find(
    (input) => input.dataset.answer === key,
  );
  if (!target) return null;
  target.focus();
  const question =
    target.closest("fieldset")?.querySelector("legend") ??
    container.querySelector(`label[for="${target.id}"]`);
  const name = (question?.firstChild?.textContent ?? key).trim();
  const reason = failure.message.slice(field.length + 2) || "please check this answer";
  return `${name}: ${reason === "required" ? "please answer this question" : reason}.`;
}
