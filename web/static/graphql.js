// Book N Meet in the browser: GraphQL over HTTP for queries and mutations, and a small
// graphql-transport-ws client for subscriptions (reconnects, re-subscribes, answers pings).
// No build step and no third-party code: everything here is served by our own server.

export const TOKEN_KEY = "bnm.token"; // sessionStorage: essential (keeps you signed in in this tab)

export function storedToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function storeToken(token) {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage disabled: the session lasts as long as the page.
  }
}

export class GraphQLError extends Error {
  constructor(errors) {
    super(errors[0]?.message ?? "The request failed.");
    this.errors = errors;
    this.code = errors[0]?.extensions?.code ?? "INTERNAL";
  }
}

/** POSTs one operation to /graphql; resolves to `data`, rejects with a GraphQLError. */
export async function request(query, variables = {}, token = null) {
  const headers = { "Content-Type": "application/json", Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers,
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new GraphQLError([
      { message: "No connection to the server.", extensions: { code: "NETWORK" } },
    ]);
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new GraphQLError([
      { message: `The server answered ${response.status}.`, extensions: { code: "INTERNAL" } },
    ]);
  }
  if (body.errors?.length) throw new GraphQLError(body.errors);
  return body.data;
}

export function socketUrl(path = "/graphql") {
  const url = new URL(path, window.location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}

const PROTOCOL = "graphql-transport-ws";
// Close codes after which retrying cannot help (graphql-transport-ws: 4400 bad message,
// 4403 forbidden, e.g. a revoked token).
const FATAL_CLOSE_CODES = new Set([4400, 4401, 4403, 4406]);

/**
 * A graphql-transport-ws connection that stays up: after a drop it reconnects with backoff,
 * sends `connection_init` again, re-subscribes every active subscription and then calls
 * `onConnected({ reconnect: true })`, which is where a page catches up on what it missed.
 *
 * onStatus receives "connecting", "live", "offline" or "refused".
 */
export class LiveClient {
  constructor({
    url = socketUrl(),
    connectionParams = () => ({}),
    onStatus = () => {},
    onConnected = () => {},
  } = {}) {
    this.url = url;
    this.connectionParams = connectionParams;
    this.onStatus = onStatus;
    this.onConnected = onConnected;
    this.subscriptions = new Map();
    this.nextId = 0;
    this.socket = null;
    this.acknowledged = false;
    this.connectedBefore = false;
    this.stopped = true;
    this.attempt = 0;
    this.retryTimer = null;
  }

  /** Subscribes; returns a function that ends the subscription. */
  subscribe(query, variables, sink) {
    const id = String(++this.nextId);
    this.subscriptions.set(id, { query, variables, sink });
    if (this.acknowledged) this.sendSubscribe(id);
    return () => {
      if (this.subscriptions.delete(id) && this.acknowledged) {
        this.send({ id, type: "complete" });
      }
    };
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  /** Closes the connection and stays closed until start(); subscriptions are kept. */
  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const socket = this.socket;
    this.socket = null;
    this.acknowledged = false;
    if (socket) socket.close(1000, "Normal Closure");
    this.onStatus("offline");
  }

  get connected() {
    return this.acknowledged;
  }

  connect() {
    clearTimeout(this.retryTimer);
    this.onStatus("connecting");
    let socket;
    try {
      socket = new WebSocket(this.url, PROTOCOL);
    } catch {
      this.retry();
      return;
    }
    this.socket = socket;
    this.acknowledged = false;
    socket.addEventListener("open", () => {
      this.send({ type: "connection_init", payload: this.connectionParams() || {} });
    });
    socket.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        socket.close(4400, "Invalid message");
        return;
      }
      this.receive(message);
    });
    socket.addEventListener("close", (event) => {
      if (this.socket !== socket) return; // an old socket, already replaced or stopped
      this.socket = null;
      this.acknowledged = false;
      if (FATAL_CLOSE_CODES.has(event.code)) {
        this.stopped = true;
        this.onStatus("refused");
        return;
      }
      this.onStatus("offline");
      if (!this.stopped) this.retry();
    });
  }

  retry() {
    // 0.5 s, 1 s, 2 s … up to 10 s, with jitter so a restarted server is not stampeded.
    const delay = Math.min(10000, 500 * 2 ** this.attempt) * (0.75 + Math.random() / 2);
    this.attempt += 1;
    this.retryTimer = setTimeout(() => {
      if (!this.stopped) this.connect();
    }, delay);
  }

  send(message) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  sendSubscribe(id) {
    const { query, variables } = this.subscriptions.get(id);
    this.send({ id, type: "subscribe", payload: { query, variables: variables ?? {} } });
  }

  receive(message) {
    const entry = message.id ? this.subscriptions.get(message.id) : undefined;
    switch (message.type) {
      case "connection_ack": {
        this.acknowledged = true;
        this.attempt = 0;
        const reconnect = this.connectedBefore;
        this.connectedBefore = true;
        for (const id of this.subscriptions.keys()) this.sendSubscribe(id);
        this.onStatus("live");
        this.onConnected({ reconnect });
        break;
      }
      case "ping":
        this.send({ type: "pong", payload: message.payload });
        break;
      case "next":
        entry?.sink.next?.(message.payload);
        break;
      case "error":
        this.subscriptions.delete(message.id);
        entry?.sink.error?.(new GraphQLError(message.payload));
        break;
      case "complete":
        this.subscriptions.delete(message.id);
        entry?.sink.complete?.();
        break;
      default:
        break; // "pong" and anything newer: nothing to do
    }
  }
}

/** Random hex, also where crypto.randomUUID is not offered (plain http on a LAN address). */
export function randomKey(bytes = 16) {
  const values = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(values, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Puts a short message where screen readers announce it (a polite live region). */
export function announce(text) {
  const region = document.getElementById("announcer");
  if (!region) return;
  region.textContent = "";
  window.setTimeout(() => {
    region.textContent = text;
  }, 50);
}

export function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}
