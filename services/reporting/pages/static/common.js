// The dashboard's plumbing: the token, API calls (JSON and file downloads), safe DOM building.
// Data only ever reaches the DOM through textContent / attributes, never innerHTML.

const TOKEN_KEY = "cppcc.token";

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

/** The token's claims, for the scope shown and the first view (not a verification). */
export function claims(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(part), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
}

const STATUS_HINTS = {
  400: "请求有误",
  401: "登录已失效，请重新从链接进入",
  403: "此账号无权查看统计",
  404: "未找到，或不在您的权限范围内",
  422: "查询条件不符合要求",
};

export class ApiError extends Error {
  constructor(status, title, detail) {
    super(detail || title);
    this.status = status;
    this.title = title;
    this.detail = detail;
  }

  /** What a person reads: the hint for the status, then the service's own title and detail. */
  describe() {
    const hint = STATUS_HINTS[this.status] || "加载失败（HTTP " + this.status + "）";
    const said = [this.title, this.detail].filter(Boolean).join("：");
    return said ? hint + "（" + said + "）" : hint;
  }
}

async function call(token, path, accept) {
  let response;
  try {
    response = await fetch(path, {
      headers: { Accept: accept, Authorization: "Bearer " + token },
      cache: "no-store",
      credentials: "omit",
    });
  } catch {
    throw new ApiError(0, "网络连接失败", "请检查网络后重试");
  }
  if (!response.ok) {
    const body = await response.json().catch(() => null);
    throw new ApiError(response.status, body?.title || "", body?.detail || "");
  }
  return response;
}

/** GET a JSON resource with the Bearer token; problem+json answers become ApiError. */
export async function getJson(token, path) {
  return (await call(token, path, "application/json")).json();
}

/** Fetch a file with the Bearer token and hand it to the browser as a download. */
export async function download(token, path) {
  const response = await call(token, path, "*/*");
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
    else if (key.startsWith("data-") || key.startsWith("aria-") || key === "role")
      node.setAttribute(key, String(value));
    else node[key] = value;
  }
  for (const child of [].concat(children)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** A rate as people read it: "66.7%", or "—" when nothing was due. */
export function percent(value) {
  return value === null || value === undefined ? "—" : (value * 100).toFixed(1) + "%";
}

export function integer(value) {
  return Number(value || 0).toLocaleString("zh-CN");
}
