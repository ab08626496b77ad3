// Signed out: log in, create an account, ask for a password-reset link, and (on the page the
// e-mailed link opens, /reset-password?token=…) choose the new password, which also signs in.

import { announce, request } from "./graphql.js";
import { $, fillZones, submitting } from "./console-common.js";

const LOG_IN = `mutation LogIn($email: String!, $password: String!) {
  logIn(email: $email, password: $password) { token user { id name } }
}`;
const SIGN_UP = `mutation SignUp($input: SignUpInput!) {
  signUp(input: $input) { token user { id name } }
}`;
const FORGOT = "mutation Forgot($email: String!) { requestPasswordReset(email: $email) }";
const RESET = `mutation Reset($token: String!, $password: String!) {
  resetPassword(token: $token, newPassword: $password) { token user { id name } }
}`;

const PANELS = { "log-in": "log-in-panel", "sign-up": "sign-up-panel", forgot: "forgot-panel" };
const LINKS = { "log-in": "show-log-in", "sign-up": "show-sign-up", forgot: "show-forgot" };

export function initAuth({ onSignedIn }) {
  const resetToken =
    window.location.pathname === "/reset-password"
      ? new URLSearchParams(window.location.search).get("token")
      : null;

  function show(name, focus = false) {
    const panel =
      resetToken && name === "reset" ? "reset-panel" : (PANELS[name] ?? PANELS["log-in"]);
    for (const id of [...Object.values(PANELS), "reset-panel"]) $(id).hidden = id !== panel;
    for (const [key, id] of Object.entries(LINKS)) {
      if (PANELS[key] === panel) $(id).setAttribute("aria-current", "page");
      else $(id).removeAttribute("aria-current");
    }
    if (focus) $(panel).querySelector("h1").focus();
  }

  async function signedIn(payload, form) {
    form.reset();
    await onSignedIn(payload.token);
  }

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
    const done = await submitting(
      $("sign-in-button"),
      error,
      async () => {
        const { logIn } = await request(LOG_IN, { email, password });
        await signedIn(logIn, event.target);
        return true;
      },
      { UNAUTHENTICATED: "Wrong e-mail or password." },
    );
    if (!done) $("password").focus();
  });

  fillZones($("sign-up-zone"));
  $("sign-up-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = {
      name: $("sign-up-name").value.trim(),
      email: $("sign-up-email").value.trim(),
      password: $("sign-up-password").value,
      timeZone: $("sign-up-zone").value,
    };
    if (!input.name || !input.email || !input.password) {
      $("sign-up-error").textContent = "Please fill in your name, e-mail and a password.";
      return;
    }
    await submitting(
      $("sign-up-button"),
      $("sign-up-error"),
      async () => {
        const { signUp } = await request(SIGN_UP, { input });
        await signedIn(signUp, event.target);
        announce("Welcome! We e-mailed you a code to confirm your address.");
      },
      { CONFLICT: "An account with this e-mail exists already: log in, or reset its password." },
    );
  });

  $("forgot-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const email = $("forgot-email").value.trim();
    $("forgot-done").textContent = "";
    if (!email) {
      $("forgot-error").textContent = "Please enter your e-mail.";
      return;
    }
    await submitting($("forgot-button"), $("forgot-error"), async () => {
      await request(FORGOT, { email });
      $("forgot-done").textContent =
        "If an account uses this address, a link to reset its password is on its way " +
        "(valid for 30 minutes).";
    });
  });

  $("reset-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const password = $("reset-password").value;
    if (!password) {
      $("reset-error").textContent = "Please choose a new password.";
      return;
    }
    await submitting(
      $("reset-button"),
      $("reset-error"),
      async () => {
        const { resetPassword } = await request(RESET, { token: resetToken, password });
        window.history.replaceState(null, "", "/dashboard#bookings");
        await signedIn(resetPassword, event.target);
        announce("Your password is changed and you are signed in.");
      },
      {
        BAD_USER_INPUT: undefined, // the server says which: weak password or a used/expired link
      },
    );
  });

  return {
    resetToken,
    /** Shows the panel named by the address (#sign-up, #forgot) or the reset form. */
    route(focus = false) {
      if (resetToken) show("reset", focus);
      else show(window.location.hash.slice(1), focus);
    },
  };
}
