// The console's webhooks: booking events POSTed to the host's https addresses, signed with a
// secret shown once, when the webhook is added.

import { announce, element, request } from "./graphql.js";
import { $, submitting } from "./console-common.js";

const LIST = "query Webhooks { webhooks { id url active createdAt } }";
const REGISTER = `mutation Register($url: String!) {
  registerWebhook(url: $url) { webhook { id url active createdAt } secret }
}`;
const DELETE = "mutation DeleteWebhook($id: ID!) { deleteWebhook(id: $id) }";

export function createWebhooks(getToken) {
  function webhookItem(webhook) {
    const remove = element("button", {
      type: "button",
      class: "small danger",
      text: "Delete",
      "aria-label": `Delete the webhook ${webhook.url}`,
    });
    remove.addEventListener("click", async () => {
      if (!window.confirm(`Delete the webhook ${webhook.url}? Pending deliveries are not sent.`))
        return;
      try {
        await request(DELETE, { id: webhook.id }, getToken());
        announce("Webhook deleted.");
        await load();
        $("webhook-url").focus();
      } catch (error) {
        announce(error.message);
      }
    });
    return element(
      "li",
      { class: "item", "data-webhook-id": webhook.id },
      element(
        "div",
        { class: "item-main" },
        element("code", { text: webhook.url }),
        element("span", { class: "meta", text: webhook.active ? "Active" : "Paused" }),
      ),
      remove,
    );
  }

  async function load() {
    const { webhooks } = await request(LIST, {}, getToken());
    $("webhook-list").replaceChildren(...webhooks.map(webhookItem));
    $("webhooks-empty").hidden = webhooks.length > 0;
  }

  $("webhook-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const url = $("webhook-url").value.trim();
    if (!url) {
      $("webhook-error").textContent = "Please give an https address.";
      return;
    }
    await submitting($("webhook-save"), $("webhook-error"), async () => {
      const { registerWebhook } = await request(REGISTER, { url }, getToken());
      event.target.reset();
      const secret = $("webhook-secret");
      secret.replaceChildren(
        "Its signing secret, shown only now: ",
        element("code", { text: registerWebhook.secret }),
      );
      secret.hidden = false;
      await load();
    });
  });

  return { load };
}
