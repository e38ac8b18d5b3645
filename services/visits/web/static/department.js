// 承办单位: the concerns assigned to this department, and the reply (办复) to each.
import { api, claims, el, say, hide, requireToken, label } from "/app/kit/kit.js";
import { LABELS } from "/app/kit/vocabulary.js";
import { fact, roundsList } from "./cards.js";

const $ = (id) => document.getElementById(id);
const token = await requireToken($("main"));
// The department acts as itself: its code (a provider token names it in `department_code`).
const me = token ? claims(token)?.department_code || claims(token)?.sub : null;

function replyForm(c) {
  const form = el("form", { class: "inline-form", noValidate: true, "data-role": "reply" });
  const text = el("textarea", { name: "reply", maxLength: 4000, required: true, placeholder: "办理情况和结果" });
  const send = el("button", { type: "submit", textContent: "提交答复" });
  text.id = "reply-" + c.id;
  form.append(el("label", { for: text.id, textContent: "答复意见" }), text, el("div", { class: "actions" }, [send]));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const notice = $("assigned-notice");
    const reply = text.value.trim();
    if (!reply) {
      say(notice, "error", "请填写答复意见");
      return;
    }
    send.disabled = true;
    try {
      await api(token, "POST", `/v1/concerns/${encodeURIComponent(c.id)}/reply`, { reply });
      say(notice, "ok", "答复已提交");
      await load(false);
    } catch (error) {
      say(notice, "error", "答复未提交", error);
      send.disabled = false;
    }
  });
  return form;
}

function concernItem(c) {
  const mine = c.status === "assigned" && c.department_code === me;
  const who = c.submitter && (c.submitter.display_name || c.submitter.constituent);
  return el("li", { "data-concern-id": c.id, "data-status": c.status }, [
    el("div", { class: "item-title" }, [
      el("span", { textContent: c.title }),
      el("span", { class: "badge " + c.status, "data-role": "status", textContent: label(LABELS.concern_status, c.status) }),
    ]),
    fact("类别", label(LABELS.concern_kind, c.kind)),
    c.due_on ? fact("办理期限", c.due_on) : null,
    fact("反映人", who || "未授权公开"),
    el("p", { class: "body-text", textContent: c.body }),
    roundsList(c),
    mine ? replyForm(c) : null,
  ]);
}

async function load(clearNotice = true) {
  const list = $("assigned");
  try {
    const page = await api(token, "GET", "/v1/concerns?limit=200");
    if (clearNotice) hide($("assigned-notice"));
    list.replaceChildren(...page.items.map(concernItem));
    if (!page.items.length) list.append(el("li", { class: "empty", textContent: "暂无交办事项" }));
  } catch (error) {
    list.replaceChildren();
    say($("assigned-notice"), "error", "交办事项加载失败", error);
  }
}

if (token) {
  if (me) $("who").textContent = "承办单位：" + me;
  load();
}
