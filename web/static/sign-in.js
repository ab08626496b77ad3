// Signing in with e-mail and password, for the pages that need an account (the privacy centre
// and the dashboard): logIn, the token kept in sessionStorage for this tab, logOut.

import { request, storeToken, storedToken } from "./graphql.js";

const LOG_IN = `mutation LogIn($email: String!, $password: String!) {
  logIn(email: $email, password: $password) { token user { id name } }
}`;
const LOG_OUT = "mutation LogOut { logOut }";

export { storedToken };

/**
 * Wires a sign-in form whose e-mail and password inputs have the given ids; onSignedIn(token)
 * runs after a successful logIn (its errors are shown in the form too).
 */
export function wireSignInForm({
  form = "sign-in-form",
  email = "email",
  password = "password",
  error = "sign-in-error",
  button = "sign-in-button",
  onSignedIn,
}) {
  const $ = (id) => document.getElementById(id);
  $(form).addEventListener("submit", async (event) => {
    event.preventDefault();
    const address = $(email).value.trim();
    const secret = $(password).value;
    $(error).textContent = "";
    if (!address || !secret) {
      $(error).textContent = "Please enter your e-mail and password.";
      (address ? $(password) : $(email)).focus();
      return;
    }
    $(button).disabled = true;
    try {
      const { logIn } = await request(LOG_IN, { email: address, password: secret });
      storeToken(logIn.token);
      $(password).value = "";
      await onSignedIn(logIn.token);
    } catch (failure) {
      $(error).textContent =
        failure.code === "UNAUTHENTICATED" ? "Wrong e-mail or password." : failure.message;
      $(password).focus();
    } finally {
      $(button).disabled = false;
    }
  });
}

/** Forgets the token here and revokes it on the server (best effort). */
export async function signOut(token) {
  storeToken(null);
  if (token) await request(LOG_OUT, {}, token).catch(() => {});
}
