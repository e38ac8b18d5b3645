// The inbox page: list the caller's notifications, then follow the live stream (SSE).
// The stream is read with fetch() and the Authorization header (EventSource cannot send one),
// so the token stays out of URLs and logs. Data reaches the DOM through textContent only.

import { el, getJson, label, obtainToken, request } from "/app/kit/kit.js";
import { LABELS } from "/app/kit/vocabulary.js";

// This page's words for what the service refused (kit.js has the general ones).
const HINTS = { 403: "此账号没有站内信" };

const $ = (id) => document.getElementById(id);
const seen = new Set();

function notice(text) {
  const box = $("notice");
  box.textContent = text;
  box.hidden = !text;
}

function render(item, fresh) {
  if (seen.has(item.id)) return;
  seen.add(item.id);
  const list = $("items");
  const empty = list.querySelector(".empty");
  if (empty) empty.remove();
  const li = el("li", {
    class: (item.read_at ? "" : "unread") + (fresh ? " new" : ""),
    "data-notification-id": item.id,
  });
  li.append(el("h3", { textContent: item.title }), el("p", { textContent: item.body }));
  const when = el("time", {
    dateTime: item.created_at,
    textContent: new Date(item.created_at).toLocaleString("zh-CN"),
  });
  li.append(when, el("span", { class: "priority", textContent: label(LABELS.priority, item.priority) }));
  if (fresh) list.prepend(li);
  else list.append(li);
  if (!item.read_at) $("unread").textContent = String(Number($("unread").textContent) + 1);
}

async function load(token) {
  const body = await getJson(token, "/v1/inbox?limit=50");
  const list = $("items");
  list.replaceChildren();
  if (body.items.length === 0) list.append(el("li", { class: "empty", textContent: "暂无消息" }));
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
      const response = await request(token, "GET", "/v1/inbox/stream", { accept: "text/event-stream" });
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
    } catch (error) {
      if (error.status) {
        // The service said no (not a dropped connection): asking again will not change that.
        $("live").textContent = "实时更新不可用";
        notice(error.describe(HINTS));
        return;
      }
      // dropped connection: fall through and reconnect
    }
    $("live").textContent = "重新连接中…";
    await new Promise((resolve) => setTimeout(resolve, 3000));
  }
}

async function main() {
  const token = await obtainToken();
  if (!token) {
    notice("缺少登录凭据，请从通知链接进入");
    $("items").replaceChildren(el("li", { class: "empty", textContent: "无法加载" }));
    return;
  }
  try {
    await load(token);
  } catch (error) {
    notice("站内信加载失败：" + (error.describe ? error.describe(HINTS) : error.message));
    $("items").replaceChildren(el("li", { class: "empty", textContent: "无法加载" }));
    return;
  }
  await follow(token);
}

main();
