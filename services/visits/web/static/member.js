// 委员工作台: my must-visit obligations, recording a contact, my duty list.
import {
  api, claims, el, say, hide, today, newKey, options, requireToken, label,
} from "/app/kit/kit.js";
import { LABELS } from "/app/kit/vocabulary.js";
import { departmentPicker, fact, roundsList } from "./cards.js";

const $ = (id) => document.getElementById(id);
const PENDING = ["open", "overdue", "escalated"];
const token = await requireToken($("main"));
const memberId = token ? claims(token)?.member_id : null;
let visitKey = newKey(); // one key per filled-in form: a retry after a lost answer records once

function obligationItem(o) {
  const pending = PENDING.includes(o.status);
  const item = el("li", { "data-obligation-id": o.id, "data-status": o.status }, [
    el("div", { class: "item-title" }, [
      el("span", { textContent: o.title }),
      el("span", { class: "badge " + o.status, "data-role": "status", textContent: label(LABELS.obligation_status, o.status) }),
    ]),
    fact("事由", label(LABELS.occasion, o.occasion_kind)),
    el("div", { class: "fact", "data-role": "due" }, [el("span", { class: "label", textContent: "截止日期" }), o.due_on]),
  ]);
  if (o.fulfilled_on) item.append(fact("完成日期", o.fulfilled_on));
  if (pending) {
    const go = el("button", { type: "button", class: "secondary", textContent: "为此记录走访" });
    go.addEventListener("click", () => {
      $("occasion").value = o.occasion_kind;
      $("summary").focus();
    });
    item.append(el("div", { class: "actions" }, [go]));
  }
  return item;
}

async function loadObligations() {
  const list = $("obligations");
  try {
    const page = await api(token, "GET", "/v1/obligations?limit=200");
    const items = page.items.slice().sort((a, b) => {
      const pa = PENDING.includes(a.status) ? 0 : 1;
      const pb = PENDING.includes(b.status) ? 0 : 1;
      return pa - pb || a.due_on.localeCompare(b.due_on);
    });
    hide($("obligations-notice"));
    list.replaceChildren(...items.map(obligationItem));
    if (!items.length) list.append(el("li", { class: "empty", textContent: "暂无必访任务" }));
  } catch (error) {
    list.replaceChildren();
    say($("obligations-notice"), "error", "必访任务加载失败", error);
  }
}

function concernActions(c) {
  const box = el("div");
  if (c.status === "submitted") {
    const accept = el("button", { type: "button", textContent: "受理" });
    accept.addEventListener("click", () => act(c.id, "accept", undefined, accept));
    box.append(el("div", { class: "actions" }, [accept]));
  }
  if (c.status === "accepted" || c.status === "reopened") {
    const form = el("form", { class: "inline-form", noValidate: true });
    const dept = departmentPicker(token, c.region_code, c.id);
    const due = el("input", { type: "date", name: "due_on", required: true });
    const send = el("button", { type: "submit", textContent: "交办" });
    due.id = "due-" + c.id;
    form.append(
      dept.node,
      el("label", { for: due.id, textContent: "办理期限" }), due,
      el("div", { class: "actions" }, [send]),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (!dept.code() || !due.value) {
        say($("concerns-notice"), "error", "请选择承办单位并填写办理期限");
        return;
      }
      act(c.id, "assign", { department_code: dept.code(), due_on: due.value }, send);
    });
    box.append(form);
  }
  return box;
}

async function act(id, action, body, button) {
  button.disabled = true;
  try {
    await api(token, "POST", `/v1/concerns/${encodeURIComponent(id)}/${action}`, body);
    say($("concerns-notice"), "ok", action === "accept" ? "已受理" : "已交办");
    await loadConcerns(false);
  } catch (error) {
    say($("concerns-notice"), "error", "操作失败", error);
    button.disabled = false;
  }
}

async function loadConcerns(clearNotice = true) {
  const list = $("concerns");
  try {
    const page = await api(token, "GET", "/v1/concerns?limit=200");
    if (clearNotice) hide($("concerns-notice"));
    list.replaceChildren(
      ...page.items.map((c) =>
        el("li", { "data-concern-id": c.id, "data-status": c.status }, [
          el("div", { class: "item-title" }, [
            el("span", { textContent: c.title }),
            el("span", { class: "badge " + c.status, "data-role": "status", textContent: label(LABELS.concern_status, c.status) }),
          ]),
          fact("类别", label(LABELS.concern_kind, c.kind)),
          el("p", { class: "body-text", textContent: c.body }),
          c.due_on ? fact("办理期限", c.due_on) : null,
          roundsList(c),
          concernActions(c),
        ]),
      ),
    );
    if (!page.items.length) list.append(el("li", { class: "empty", textContent: "履职清单暂无事项" }));
  } catch (error) {
    list.replaceChildren();
    say($("concerns-notice"), "error", "履职清单加载失败", error);
  }
}

function readVisit() {
  const count = (id) => {
    const raw = $(id).value.trim();
    return /^\d+$/.test(raw) ? Number(raw) : NaN;
  };
  const visit = {
    member_id: memberId,
    channel: $("channel").value,
    occasion: $("occasion").value,
    occurred_on: $("occurred_on").value,
    people_reached: count("people_reached"),
    heart_to_heart_talks: $("heart_to_heart_talks").value.trim() === "" ? 0 : count("heart_to_heart_talks"),
    summary: $("summary").value.trim(),
  };
  const problems = [];
  if (!visit.occurred_on) problems.push("请选择走访日期");
  else if (visit.occurred_on > today()) problems.push("走访日期不能晚于今天");
  if (Number.isNaN(visit.people_reached)) problems.push("联系人次须为不小于 0 的整数");
  if (Number.isNaN(visit.heart_to_heart_talks)) problems.push("谈心谈话人次须为不小于 0 的整数");
  else if (visit.heart_to_heart_talks > visit.people_reached) problems.push("谈心谈话人次不能多于联系人次");
  if (!visit.summary) problems.push("请填写走访情况");
  return [visit, problems];
}

async function submitVisit(event) {
  event.preventDefault();
  const notice = $("visit-notice");
  const [visit, problems] = readVisit();
  if (problems.length) {
    say(notice, "error", problems.join("；"));
    return;
  }
  const button = $("visit-submit");
  button.disabled = true;
  try {
    const saved = await api(token, "POST", "/v1/visits", visit, visitKey);
    visitKey = newKey();
    const done = saved.fulfilled_obligation_ids.length;
    say(notice, "ok", done ? `走访记录已保存，完成必访任务 ${done} 项` : "走访记录已保存");
    $("visit-form").reset();
    $("occurred_on").value = today();
    await Promise.all([loadObligations(), loadConcerns()]);
  } catch (error) {
    say(notice, "error", "走访记录未保存", error);
  } finally {
    button.disabled = false;
  }
}

if (token) {
  options($("channel"), Object.entries(LABELS.channel));
  options($("occasion"), Object.entries(LABELS.occasion));
  $("occurred_on").value = today();
  $("occurred_on").max = today();
  $("visit-form").addEventListener("submit", submitVisit);
  $("visit-form").addEventListener("input", () => { visitKey = newKey(); });
  if (!memberId) say($("visit-notice"), "error", "当前登录身份不是委员，不能记录走访");
  loadObligations();
  loadConcerns();
}
