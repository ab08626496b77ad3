// Small helpers the console's sections share.

import { element } from "./graphql.js";

export const $ = (id) => document.getElementById(id);

/** Fills a <select> with the browser's IANA zones, `selected` (or the browser's own) chosen. */
export function fillZones(select, selected) {
  const own = Intl.DateTimeFormat().resolvedOptions().timeZone;
  let zones = [];
  try {
    zones = Intl.supportedValuesOf("timeZone");
  } catch {
    zones = [];
  }
  const wanted = selected || own || "UTC";
  if (!zones.includes(wanted)) zones = [wanted, ...zones];
  if (!zones.includes("UTC")) zones = [...zones, "UTC"];
  select.replaceChildren(...zones.map((z) => element("option", { value: z, text: z })));
  select.value = wanted;
}

/** The message a failed request shows beside its form; field-level BAD_USER_INPUT as it came. */
export function failureText(failure, texts = {}) {
  return texts[failure.code] ?? failure.message ?? "That did not work.";
}

/** An integer input's value, or null when it is empty. */
export function numberOrNull(input) {
  const value = input.value.trim();
  return value === "" ? null : Number.parseInt(value, 10);
}

/** Runs `work` with the form's submit button disabled and its error paragraph cleared/filled. */
export async function submitting(button, errorNode, work, texts = {}) {
  errorNode.textContent = "";
  button.disabled = true;
  try {
    return await work();
  } catch (failure) {
    errorNode.textContent = failureText(failure, texts);
    return undefined;
  } finally {
    button.disabled = false;
  }
}
