// review_page.mjs - the review page end to end in headless Chromium
// (playwright-core driving Debian's /usr/bin/chromium): a real daemon with a
// Unix socket and loopback TCP + token; a client long-polls /v1/decide for
// an action that needs review; a person approves it in the page; the client
// gets allow and the audit log holds the approval. Then a denial, the login
// form, and agent-written text that must stay text (no HTML injection).
//
// usage: node review_page.mjs AGENTVISOR_BINARY [SCREENSHOT.png]
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";

const bin = process.argv[2];
const shot = process.argv[3];
let passed = 0;
let failed = 0;

function check(name, ok, detail) {
  if (ok) {
    passed++;
  } else {
    failed++;
    console.log(`FAIL ${name}${detail !== undefined ? ": " + detail : ""}`);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

// One request; opts.socketPath for the Unix socket, else TCP.
function request(opts, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(opts, (res) => {
      let data = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (data += c));
      res.on("end", () => {
        let json = null;
        try {
          json = JSON.parse(data);
        } catch (e) {
          json = null;
        }
        resolve({ status: res.statusCode, json, text: data, headers: res.headers });
      });
    });
    req.on("error", reject);
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "av-web-"));
const sock = path.join(tmp, "av.sock");
const tokenFile = path.join(tmp, "token");
const token = "t0k3n-" + Math.random().toString(36).slice(2) + "-abcdefghijklmnop";
fs.writeFileSync(tokenFile, token + "\n", { mode: 0o600 });
const port = await freePort();
const daemonLog = fs.openSync(path.join(tmp, "daemon.log"), "a");
const daemon = spawn(
  bin,
  [
    "serve",
    "--socket", sock,
    "--state", path.join(tmp, "state"),
    "--listen", `127.0.0.1:${port}`,
    "--token-file", tokenFile,
    "--review-timeout", "120",
  ],
  { stdio: ["ignore", daemonLog, daemonLog] }
);

const unixReq = (method, p, body) =>
  request(
    { socketPath: sock, method, path: p, headers: body ? { "Content-Type": "application/json" } : {} },
    body
  );
const tcpReq = (method, p, auth) =>
  request({
    host: "127.0.0.1",
    port,
    method,
    path: p,
    headers: auth ? { Authorization: "Bearer " + auth } : {},
  });

let browser;
try {
  // The daemon is up when its health check answers.
  let up = false;
  for (let i = 0; i < 100 && !up; i++) {
    try {
      up = (await unixReq("GET", "/healthz")).status === 200;
    } catch (e) {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  check("daemon-up", up, fs.readFileSync(path.join(tmp, "daemon.log"), "utf8"));

  // TCP needs the token, except for the page itself.
  check("tcp-no-token-401", (await tcpReq("GET", "/v1/reviews")).status === 401);
  check("tcp-bad-token-401", (await tcpReq("GET", "/v1/reviews", "nope-" + token)).status === 401);
  check("tcp-token-200", (await tcpReq("GET", "/v1/reviews", token)).status === 200);
  const page0 = await tcpReq("GET", "/");
  check("page-public", page0.status === 200 && page0.text.includes("pending reviews"));
  check("page-csp", /script-src 'self'/.test(page0.headers["content-security-policy"] || ""));

  // A client asks about an action that needs review and waits.
  const action1 = {
    id: "web-1",
    session: "s-web",
    kind: "shell",
    input: { command: "git push --force origin main" },
  };
  const held = unixReq("POST", "/v1/decide?wait=60", JSON.stringify(action1));
  let pending = [];
  for (let i = 0; i < 200 && pending.length === 0; i++) {
    pending = (await unixReq("GET", "/v1/reviews")).json.reviews;
    if (pending.length === 0) await new Promise((r) => setTimeout(r, 50));
  }
  check("review-queued", pending.length === 1);
  const id1 = pending[0].id;

  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu"],
  });
  const page = await browser.newPage();
  const consoleErrors = [];
  page.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(m.text());
  });
  page.on("pageerror", (e) => consoleErrors.push(String(e)));

  // The token comes in the fragment and leaves the address bar at once.
  await page.goto(`http://127.0.0.1:${port}/#token=${encodeURIComponent(token)}`);
  const card1 = page.locator(`li.review[data-id="${id1}"]`);
  await card1.waitFor({ timeout: 10000 });
  check("token-not-in-url", !page.url().includes(token), page.url());
  check("card-command", (await card1.locator(".what").textContent()).includes("git push --force origin main"));
  check("card-finding", (await card1.locator(".findings").textContent()).includes("data.destroy"));
  check("card-explanation", (await card1.locator(".explanation").textContent()).length > 0);
  if (shot) await page.screenshot({ path: shot, fullPage: true });

  await card1.locator(".reason").fill("release branch, agreed in chat");
  await card1.locator("button.approve").click();
  await card1.locator(".result").filter({ hasText: "approved" }).waitFor({ timeout: 10000 });
  check("page-shows-approved", (await card1.locator(".result").textContent()).includes("now allow"));

  const answer1 = await held;
  check(
    "long-poll-got-allow",
    answer1.status === 200 && answer1.json.verdict === "allow" && answer1.json.review.status === "approved",
    answer1.text
  );
  check("approval-reason", answer1.json && answer1.json.review.reason === "release branch, agreed in chat");
  check("approved-over-tcp", answer1.json && answer1.json.review.by.transport === "tcp");

  // The audit log holds the approval: the final decision record for web-1.
  const audit = await unixReq("GET", "/v1/audit?verdict=allow&limit=1000");
  const approvals = audit.json.records.filter(
    (r) => r.record.id === "web-1" && r.record.decision.review && r.record.decision.review.status === "approved"
  );
  check("audit-has-approval", approvals.length === 1, audit.text.slice(0, 500));
  check(
    "audit-approval-reason",
    approvals.length === 1 && approvals[0].record.decision.review.reason === "release branch, agreed in chat"
  );

  // Deny another, polled rather than held. Its command carries markup that
  // must be shown as text.
  const action2 = {
    id: "web-2",
    kind: "shell",
    input: { command: 'git push --force origin main # <img src=x id=injected onerror="document.title=1">' },
  };
  const r2 = await unixReq("POST", "/v1/decide", JSON.stringify(action2));
  check("second-pending", r2.json && r2.json.review && r2.json.review.status === "pending", r2.text);
  const id2 = r2.json.review.id;
  const card2 = page.locator(`li.review[data-id="${id2}"]`);
  await card2.waitFor({ timeout: 10000 });
  check("markup-is-text", (await page.locator("#injected").count()) === 0);
  check("markup-shown", (await card2.locator(".what").textContent()).includes("<img src=x"));
  await card2.locator(".reason").fill("not on main");
  await card2.locator("button.deny").click();
  await card2.locator(".result").filter({ hasText: "denied" }).waitFor({ timeout: 10000 });
  const after2 = await unixReq("GET", `/v1/reviews/${id2}`);
  check(
    "denied-final-block",
    after2.json.status === "denied" && after2.json.final.verdict === "block" && after2.json.reason === "not on main",
    after2.text
  );
  const audit2 = await unixReq("GET", "/v1/audit?verdict=block&limit=1000");
  check(
    "audit-has-denial",
    audit2.json.records.some((r) => r.record.id === "web-2" && r.record.decision.review && r.record.decision.review.status === "denied")
  );

  // A session chain: the review shows the earlier actions that formed it.
  const chain = fs
    .readFileSync(new URL("../daemon/data/session_chain.jsonl", import.meta.url), "utf8")
    .trim()
    .split("\n");
  let last = null;
  for (const line of chain) last = await unixReq("POST", "/v1/decide", line);
  check("chain-review", last.json && last.json.review && last.json.review.status === "pending", last.text);
  if (last.json && last.json.review) {
    const card3 = page.locator(`li.review[data-id="${last.json.review.id}"]`);
    await card3.waitFor({ timeout: 10000 });
    const steps = await card3.locator(".steps").allTextContents();
    check("chain-steps-shown", steps.length > 0 && steps.join(" ").includes("this action"), steps.join(" | "));
    if (shot) await page.screenshot({ path: shot.replace(/\.png$/, "-chain.png"), fullPage: true });
    await card3.locator("button.deny").click();
    await card3.locator(".result").filter({ hasText: "denied" }).waitFor({ timeout: 10000 });
  }

  // A fresh tab without a token asks for one; the token typed in works.
  const ctx2 = await browser.newContext();
  const page2 = await ctx2.newPage();
  await page2.goto(`http://127.0.0.1:${port}/`);
  await page2.locator("#login").waitFor({ state: "visible", timeout: 10000 });
  check("login-shown", await page2.locator("#login").isVisible());
  await page2.locator("#token").fill(token);
  await page2.locator("#login-button").click();
  await page2.locator("#login").waitFor({ state: "hidden", timeout: 10000 });
  check("login-works", (await page2.locator("#status").textContent()).includes("pending"));
  await ctx2.close();

  check("no-console-errors", consoleErrors.length === 0, consoleErrors.join("; "));
} catch (e) {
  check("exception", false, e.stack || String(e));
} finally {
  if (browser) await browser.close();
  daemon.kill("SIGTERM");
  const code = await new Promise((r) => daemon.on("exit", (c) => r(c)));
  check("daemon-clean-exit", code === 0, code);
  if (failed) process.stdout.write(fs.readFileSync(path.join(tmp, "daemon.log"), "utf8"));
  fs.rmSync(tmp, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
