// app.js - the review page's logic. It polls GET /v1/reviews, shows each
// pending review (the action, the findings, the explanation) and answers it
// with POST /v1/reviews/{id}. Everything an agent wrote is untrusted text:
// it is only ever put into the page with textContent, never as HTML.
//
// The token: over loopback TCP the daemon wants "Authorization: Bearer".
// The page reads it from the URL fragment (#token=...), which browsers
// never send to a server, so no access log keeps it; it then removes the
// fragment from the address bar and keeps the token in sessionStorage (this
// tab only). Without a token it asks for one.
"use strict";

const POLL_MS = 2000;
const tokenKey = "agentvisor-token";
let token = sessionStorage.getItem(tokenKey) || "";
const cards = new Map(); // review id -> its <li>

function takeTokenFromFragment() {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (m) {
    token = decodeURIComponent(m[1]);
    sessionStorage.setItem(tokenKey, token);
    history.replaceState(null, "", location.pathname + location.search);
  }
}

function setStatus(text) {
  document.getElementById("status").textContent = text;
}

async function api(method, path, body) {
  const headers = {};
  if (token) headers["Authorization"] = "Bearer " + token;
  const init = { method, headers, cache: "no-store", credentials: "omit" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  let data = null;
  try {
    data = await res.json();
  } catch (e) {
    data = null;
  }
  return { status: res.status, data };
}

function summary(action) {
  if (!action || typeof action !== "object") return "(undecodable action)";
  const input = action.input || {};
  if (action.kind === "shell") return input.command;
  if (action.kind === "file") {
    let s = input.op + " " + input.path;
    if (input.dest) s += " -> " + input.dest;
    return s;
  }
  return JSON.stringify(action);
}

function fill(li, r) {
  const v = r.verdict || {};
  li.querySelector(".rid").textContent = r.id;
  li.querySelector(".verdict").textContent = v.verdict || "review";
  li.querySelector(".risk").textContent = "risk " + (v.risk || "?");
  li.querySelector(".what").textContent =
    (r.action && r.action.kind ? r.action.kind + ": " : "") + summary(r.action);
  const who = r.caller || {};
  const meta = [];
  if (r.action && r.action.session) meta.push("session " + r.action.session);
  if (r.action && r.action.principal) meta.push("for " + r.action.principal);
  if (who.uid !== undefined) meta.push("asked by uid " + who.uid + " (pid " + who.pid + ")");
  else if (who.transport) meta.push("asked over " + who.transport);
  li.querySelector(".meta").textContent = meta.join(" · ");
  const ul = li.querySelector(".findings");
  ul.replaceChildren();
  for (const f of v.findings || []) {
    const item = document.createElement("li");
    const rule = document.createElement("code");
    rule.textContent = f.rule;
    item.append(rule, " (" + f.verdict + ", " + f.risk + "): " + f.reason);
    if (f.safefix) item.append(" (safer: " + f.safefix + ")");
    // A session chain: the earlier actions that formed it, in order.
    if (Array.isArray(f.steps) && f.steps.length) {
      const ol = document.createElement("ol");
      ol.className = "steps";
      for (const st of f.steps) {
        const li2 = document.createElement("li");
        let text = st.step + ": ";
        if (st.current) text += "this action";
        else text += (st.id ? st.id + " " : "") + (st.summary || "(no longer in the history)");
        li2.textContent = text;
        ol.append(li2);
      }
      item.append(ol);
    }
    ul.append(item);
  }
  li.querySelector(".explanation").textContent = r.explanation || "";
  li.querySelector(".action").textContent = JSON.stringify(r.action, null, 2);
  li.querySelector(".expires").textContent = "expires in " + r.expires_in_s + " s";
}

async function answer(li, id, decision) {
  const reason = li.querySelector(".reason").value;
  const buttons = li.querySelectorAll("button");
  buttons.forEach((b) => (b.disabled = true));
  const body = { decision };
  if (reason) body.reason = reason;
  const res = await api("POST", "/v1/reviews/" + encodeURIComponent(id), body);
  const out = li.querySelector(".result");
  if (res.status === 200 && res.data) {
    const final = res.data.final || {};
    out.textContent = res.data.status + ": the action is now " + final.verdict;
    li.classList.add("answered", res.data.status);
    setTimeout(() => {
      li.remove();
      cards.delete(id);
      showEmpty();
    }, 1500);
  } else {
    const e = (res.data && res.data.error) || {};
    out.textContent = "failed: " + (e.message || "HTTP " + res.status);
    buttons.forEach((b) => (b.disabled = false));
  }
}

function showEmpty() {
  document.getElementById("empty").hidden = cards.size !== 0;
}

function render(reviews) {
  const list = document.getElementById("reviews");
  const seen = new Set();
  for (const r of reviews) {
    seen.add(r.id);
    let li = cards.get(r.id);
    if (!li) {
      li = document.getElementById("review-template").content.firstElementChild.cloneNode(true);
      li.dataset.id = r.id;
      li.querySelector(".approve").addEventListener("click", () => answer(li, r.id, "approve"));
      li.querySelector(".deny").addEventListener("click", () => answer(li, r.id, "deny"));
      cards.set(r.id, li);
      list.append(li);
    }
    // Only the fields that change are refreshed, so a reason being typed
    // is kept.
    fill(li, r);
  }
  for (const [id, li] of cards) {
    if (!seen.has(id) && !li.classList.contains("answered")) {
      li.remove();
      cards.delete(id);
    }
  }
  showEmpty();
}

async function refresh() {
  try {
    const res = await api("GET", "/v1/reviews");
    if (res.status === 401) {
      document.getElementById("login").hidden = false;
      setStatus("a token is needed");
      return;
    }
    document.getElementById("login").hidden = true;
    if (res.status !== 200 || !res.data) {
      setStatus("the daemon answered HTTP " + res.status);
      return;
    }
    render(res.data.reviews || []);
    setStatus(
      res.data.reviews.length +
        (res.data.truncated ? "+ (more than fit on one page)" : "") +
        " pending · updated " +
        new Date().toLocaleTimeString()
    );
  } catch (e) {
    setStatus("cannot reach the daemon: " + e.message);
  }
}

document.getElementById("login").addEventListener("submit", (ev) => {
  ev.preventDefault();
  token = document.getElementById("token").value.trim();
  sessionStorage.setItem(tokenKey, token);
  document.getElementById("token").value = "";
  refresh();
});

takeTokenFromFragment();
refresh();
setInterval(refresh, POLL_MS);
