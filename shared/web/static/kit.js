// The page kit every service's pages share (served at /app/kit/kit.js): the token, API calls,
// problem+json errors, safe DOM building, and numbers and dates as people read them.
// Data only ever reaches the DOM through textContent / value / attributes, never innerHTML.
//
// Signing in: where the service names an identity provider (/app/kit/oidc.json), pages sign in
// there (oidc-session.js: tokens in memory only, refreshed silently, 退出登录 in the header).
// Without one, the dev token from `#token=…` is used (API use, tests, `make run`'s links).

import { accessToken, signIn, signinConfig, signOut, toLogin } from "./oidc-session.js";

const TOKEN_KEY = "cppcc.token";
const ROLES = ["province_admin", "city_admin", "county_admin", "committee_staff", "member",
  "department", "constituent", "data_platform", "auditor"];

/** Take `#token=…` from the fragment into sessionStorage, then drop it from the address bar. */
export function takeToken() {
  const params = new URLSearchParams(location.hash.slice(1));
  const fromHash = params.get("token");
  if (fromHash) {
    sessionStorage.setItem(TOKEN_KEY, fromHash);
    params.delete("token");
    const rest = params.toString();
    history.replaceState(null, "", location.pathname + location.search + (rest ? "#" + rest : ""));
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

/** Other fragment parameters (e.g. `member=` on the constituent page). */
export function fragmentParam(name) {
  return new URLSearchParams(location.hash.slice(1)).get(name);
}

/** The token's claims, for display and for ids the API asks for (not a verification). */
export function claims(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(part), (c) => c.charCodeAt(0));
    const found = JSON.parse(new TextDecoder().decode(bytes));
    // The identity provider states the role as a realm role; dev tokens in a `role` claim.
    const realmRoles = found.realm_access?.roles || [];
    if (!found.role) found.role = ROLES.find((role) => realmRoles.includes(role));
    return found;
  } catch {
    return null;
  }
}

// What each status means to a person; a page may say it in its own words (`hints`).
const STATUS_HINTS = {
  400: "请求有误",
  401: "登录已失效，请重新从链接进入",
  403: "无权进行此操作",
  404: "未找到，或不在您的权限范围内",
  409: "当前状态不允许此操作",
  413: "提交的内容过大",
  422: "填写的内容不符合要求",
  429: "操作过于频繁，请稍后再试",
};

export class ApiError extends Error {
  constructor(status, title, detail, errors) {
    super(detail || title);
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.errors = errors || [];
  }

  /** The hint for the status, in the page's words where it has some. */
  hint(hints = {}) {
    return hints[this.status] || STATUS_HINTS[this.status];
  }

  /** One line a person reads: the hint, then the service's own title and detail. */
  describe(hints = {}) {
    const hint = this.hint(hints) || "加载失败（HTTP " + this.status + "）";
    const said = [this.title, this.detail].filter(Boolean).join("：");
    return said ? hint + "（" + said + "）" : hint;
  }
}

/** A fetch with the Bearer token; an answer other than 2xx becomes ApiError (problem+json read). */
export async function request(token, method, path, { body, idempotencyKey, accept } = {}) {
  // Signed in through the provider, the current (silently refreshed) token wins over the
  // one the page was handed when it loaded.
  const bearer = accessToken() || token;
  const headers = { Accept: accept || "application/json", Authorization: "Bearer " + bearer };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
      credentials: "omit",
    });
  } catch {
    throw new ApiError(0, "网络连接失败", "请检查网络后重试");
  }
  if (!response.ok) {
    const type = response.headers.get("Content-Type") || "";
    const json = type.includes("json") ? await response.json().catch(() => null) : null;
    if (json && typeof json === "object") {
      throw new ApiError(response.status, json.title || "", json.detail || "", json.errors);
    }
    throw new ApiError(response.status, "服务暂时不可用", "");
  }
  return response;
}

/** Call the JSON API; the parsed answer, or null when it has no JSON body. */
export async function api(token, method, path, body, idempotencyKey) {
  const response = await request(token, method, path, { body, idempotencyKey });
  const type = response.headers.get("Content-Type") || "";
  return type.includes("json") ? response.json().catch(() => null) : null;
}

/** GET a JSON resource. */
export function getJson(token, path) {
  return api(token, "GET", path);
}

/** Fetch a file with the Bearer token and hand it to the browser as a download. */
export async function download(token, path) {
  const response = await request(token, "GET", path, { accept: "*/*" });
  const disposition = response.headers.get("Content-Disposition") || "";
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] || "export";
  const url = URL.createObjectURL(await response.blob());
  const link = el("a", { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return name;
}

/** Build an element: props are set as properties (textContent, value, …) or data-/aria- attributes. */
export function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("data-") || key.startsWith("aria-") || key === "role" || key === "for")
      node.setAttribute(key, String(value));
    else node[key] = value;
  }
  for (const child of [].concat(children)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Show a message in a status box: kind "ok" or "error"; errors show the problem's title/detail. */
export function say(box, kind, message, error) {
  box.replaceChildren();
  box.className = "notice " + kind;
  box.hidden = false;
  box.append(el("strong", { textContent: message }));
  if (error instanceof ApiError) {
    const hint = error.hint();
    if (hint) box.append(el("div", { textContent: hint }));
    const said = [error.title, error.detail].filter(Boolean).join("：");
    if (said) box.append(el("div", { class: "problem", textContent: said }));
    const list = el("ul");
    for (const e of error.errors.slice(0, 10)) {
      const where = Array.isArray(e.loc) ? e.loc.filter((p) => p !== "body").join(".") : "";
      list.append(el("li", { textContent: (where ? where + "：" : "") + (e.msg || "") }));
    }
    if (list.childElementCount) box.append(list);
  } else if (error) {
    box.append(el("div", { textContent: "出现意外错误，请稍后再试" }));
  }
}

export function hide(box) {
  box.hidden = true;
  box.replaceChildren();
}

/**
 * The caller's token: signed in through the identity provider when the service has one (the
 * browser goes to its login page first; 退出登录 is added to the page's header), otherwise
 * the dev token from `#token=…`. Null when there is none; the page then shows nothing.
 */
export async function obtainToken() {
  const config = await signinConfig();
  if (!config.issuer) return takeToken();
  let user;
  try {
    user = await signIn(config);
  } catch {
    signInFailed();
    return null;
  }
  signOutButton(user.profile);
  return user.access_token;
}

function signOutButton(profile) {
  const header = document.querySelector("body > header") || document.querySelector("header");
  if (!header || header.querySelector("[data-role=signout]")) return;
  // Chinese order: family name first, no space (Keycloak's `name` is "given family").
  const chinese = (profile.family_name || "") + (profile.given_name || "");
  const name = chinese || profile.name || profile.preferred_username || "";
  const button = el("button", { type: "button", class: "secondary", textContent: "退出登录" });
  button.addEventListener("click", () => {
    button.disabled = true;
    signOut().catch(() => location.reload());
  });
  header.append(el("div", { class: "signed-in", "data-role": "signout" }, [
    name ? el("span", { textContent: name }) : null,
    button,
  ]));
}

function signInFailed() {
  const main = document.querySelector("main");
  const again = el("button", { type: "button", textContent: "重新登录" });
  again.addEventListener("click", () => toLogin());
  main?.replaceChildren(
    el("section", { class: "card", "data-role": "signin-failed" }, [
      el("h2", { textContent: "登录未完成" }),
      el("p", { textContent: "登录过程被中断或已过期，请重新登录。" }),
      again,
    ]),
  );
}

/** Without a token the page explains where to get one. */
export async function requireToken(main) {
  const token = await obtainToken();
  if (!token && !main.querySelector("[data-role=signin-failed]")) {
    main.replaceChildren(
      el("section", { class: "card" }, [
        el("h2", { textContent: "未登录" }),
        el("p", { textContent: "请通过系统发给您的专属链接打开本页面。" }),
      ]),
    );
  }
  return token;
}

/** Fill a <select> from [value, label] pairs (`Object.entries` of a vocabulary table will do). */
export function options(select, pairs) {
  select.replaceChildren(...pairs.map(([value, label]) => el("option", { value, textContent: label })));
}

/** A code's label in a vocabulary table, or the code itself when the table does not know it. */
export function label(table, code) {
  return (table && table[code]) || code;
}

/** Today's date (yyyy-mm-dd) in the browser's own time zone. */
export function today() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export function newKey() {
  return crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random();
}

/** A rate as people read it: "66.7%", or "—" when nothing was due. */
export function percent(value) {
  return value === null || value === undefined ? "—" : (value * 100).toFixed(1) + "%";
}

export function integer(value) {
  return Number(value || 0).toLocaleString("zh-CN");
}
