// Shared by the pages: the token, API calls, problem+json errors, safe DOM building, labels.
// Data only ever reaches the DOM through textContent / value / attributes, never innerHTML.

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

/** Other fragment parameters (e.g. `member=` on the constituent page). */
export function fragmentParam(name) {
  return new URLSearchParams(location.hash.slice(1)).get(name);
}

/** The token's claims, for display and for ids the API asks for (not a verification). */
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
}

/** Call the JSON API with the Bearer token; problem+json answers become ApiError. */
export async function api(token, method, path, body, idempotencyKey) {
  const headers = { Accept: "application/json", Authorization: "Bearer " + token };
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
  const type = response.headers.get("Content-Type") || "";
  const json = type.includes("json") ? await response.json().catch(() => null) : null;
  if (!response.ok) {
    if (json && typeof json === "object") {
      throw new ApiError(response.status, json.title || "", json.detail || "", json.errors);
    }
    throw new ApiError(response.status, "服务暂时不可用", "");
  }
  return json;
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
    const hint = STATUS_HINTS[error.status];
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

/** Today's date (yyyy-mm-dd) in the browser's own time zone. */
export function today() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export function newKey() {
  return crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random();
}

/** Fill a <select> from [value, label] pairs. */
export function options(select, pairs) {
  select.replaceChildren(...pairs.map(([value, label]) => el("option", { value, textContent: label })));
}

/** Without a token the page explains where to get one. */
export function requireToken(main) {
  const token = takeToken();
  if (!token) {
    main.replaceChildren(
      el("section", { class: "card" }, [
        el("h2", { textContent: "未登录" }),
        el("p", { textContent: "请通过系统发给您的专属链接打开本页面。" }),
      ]),
    );
  }
  return token;
}

export const CHANNELS = [
  ["face_to_face", "上门走访、座谈交流"],
  ["regular_work", "调查研究、征集社情民意"],
  ["online", "移动化线上互动"],
  ["service", "慰问走访、法律援助等服务活动"],
  ["innovative", "委员沙龙、委员工作站等创新形式"],
];

export const OCCASIONS = [
  ["routine", "日常联系"],
  ["leader_speech", "重要讲话、指示发布后"],
  ["congress_closed", "重要会议闭幕后"],
  ["policy_issued", "相关政策出台后"],
  ["plenary_upcoming", "政协全会召开前"],
  ["liaison_life_change", "联系人工作生活发生较大变化"],
  ["liaison_request", "联系人提出重要诉求建议"],
  ["liaison_hardship", "联系人遇到严重困难"],
  ["sector_festival", "界别节日"],
];
export const OCCASION_LABEL = Object.fromEntries(OCCASIONS);

export const OBLIGATION_STATUS = {
  open: "待走访",
  overdue: "已逾期",
  escalated: "已上报",
  fulfilled: "已完成",
  withdrawn: "已撤销",
};

export const CONCERN_KINDS = [
  ["micro_suggestion", "微建议"],
  ["suggestion", "建议"],
  ["problem", "问题"],
  ["request", "诉求"],
];
export const CONCERN_KIND_LABEL = Object.fromEntries(CONCERN_KINDS);

export const CONCERN_STATUS = {
  submitted: "待受理",
  accepted: "已受理",
  rejected: "未受理",
  merged: "已合并",
  assigned: "已交办",
  replied: "已办复",
  reopened: "重新办理",
  closed: "已办结",
};

/** A small labelled line "label：value" for cards. */
export function fact(label, value) {
  return el("div", { class: "fact" }, [el("span", { class: "label", textContent: label }), String(value)]);
}

/** The rounds of a concern (assignment → reply → rating) as a list. */
export function roundsList(concern) {
  const list = el("ol", { class: "rounds" });
  for (const r of concern.rounds || []) {
    const item = el("li", { "data-round": r.round }, [
      fact("承办单位", r.department_code),
      fact("办理期限", r.due_on),
    ]);
    if (r.reply) item.append(fact("答复", r.reply), fact("答复日期", r.replied_on || ""));
    if (r.satisfaction) {
      item.append(fact("评价", `满意度 ${r.satisfaction} 分，${r.resolved ? "已解决" : "未解决"}`));
    }
    list.append(item);
  }
  return list;
}
