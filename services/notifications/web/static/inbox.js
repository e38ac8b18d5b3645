// The inbox page: list the caller's notifications, then follow the live stream (SSE).
// The stream is read with fetch() and the Authorization header (EventSource cannot send one),
// so the token stays out of URLs and logs. Data reaches the DOM through textContent only.

const TOKEN_KEY = "cppcc.token";
const PRIORITY = { urgent: "紧急", normal: "普通", low: "一般" };
const STATUS_HINTS = { 401: "登录已失效，请重新从链接进入", 403: "此账号没有站内信" };

function takeToken() {
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

const $ = (id) => document.getElementById(id);
const seen = new Set();

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function notice(text) {
  const box = $("notice");
  box.textContent = text;
  box.hidden = !text;
}

function problem(status, body) {
  const hint = STATUS_HINTS[status] || "加载失败（HTTP " + status + "）";
  return body && body.detail ? hint + "：" + body.detail : hint;
}

function render(item, fresh) {
  if (seen.has(item.id)) return;
  seen.add(item.id);
  const list = $("items");
  const empty = list.querySelector(".empty");
  if (empty) empty.remove();
  const li = el("li", undefined, (item.read_at ? "" : "unread") + (fresh ? " new" : ""));
  li.dataset.notificationId = item.id;
  li.append(el("h3", item.title), el("p", item.body));
  const when = el("time", new Date(item.created_at).toLocaleString("zh-CN"));
  when.dateTime = item.created_at;
  li.append(when, el("span", PRIORITY[item.priority] || item.priority, "priority"));
  if (fresh) list.prepend(li);
  else list.append(li);
  if (!item.read_at) $("unread").textContent = String(Number($("unread").textContent) + 1);
}

async function load(token) {
  const response = await fetch("/v1/inbox?limit=50", {
    headers: { Accept: "application/json", Authorization: "Bearer " + token },
  });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new Error(problem(response.status, body));
  const list = $("items");
  list.replaceChildren();
  if (body.items.length === 0) list.append(el("li", "暂无消息", "empty"));
  for (const item of body.items) render(item, false);
}

/** Parse `text/event-stream` blocks; calls onEvent(name, data) for each complete one. */
function parseEvents(buffer, onEvent) {
  const normal = buffer.replace(/\r\n?/g, "\n");
  const blocks = normal.split("\n\n");
  const rest = blocks.pop();
  for (const block of blocks) {
    let name = "message";
    const data = [];
    for (const line of block.split("\n")) {
      if (line.startsWith("event:")) name = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
    }
    if (data.length) onEvent(name, data.join("\n"));
  }
  return rest;
}

async function follow(token) {
  for (;;) {
    try {
      const response = await fetch("/v1/inbox/stream", {
        headers: { Accept: "text/event-stream", Authorization: "Bearer " + token },
        cache: "no-store",
      });
      if (!response.ok) {
        $("live").textContent = "实时更新不可用";
        notice(problem(response.status, await response.json().catch(() => null)));
        return;
      }
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer = parseEvents(buffer + value, (name, data) => {
          if (name === "ready") $("live").textContent = "实时更新中";
          if (name === "notification") render(JSON.parse(data), true);
        });
      }
    } catch {
      // dropped connection: fall through and reconnect
    }
    $("live").textContent = "重新连接中…";
    await new Promise((resolve) => setTimeout(resolve, 3000));
  }
}

async function main() {
  const token = takeToken();
  if (!token) {
    notice("缺少登录凭据，请从通知链接进入");
    $("items").replaceChildren(el("li", "无法加载", "empty"));
    return;
  }
  try {
    await load(token);
  } catch (error) {
    notice("站内信加载失败：" + error.message);
    $("items").replaceChildren(el("li", "无法加载", "empty"));
    return;
  }
  await follow(token);
}

main();
