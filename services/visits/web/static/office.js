// 政协办公室工作台: the region's duty list most urgent first (filters, search, server-side
// paging), the office's steps on each concern, and the assignments the platform did not take.
// The token comes from the page kit; every list is scoped by the API to the caller's region.
import { ApiError, api, el, getJson, hide, label, requireToken, today } from "/app/kit/kit.js";
import { LABELS } from "/app/kit/vocabulary.js";
import { departmentPicker, fact, roundsList } from "./cards.js";

const $ = (id) => document.getElementById(id);
const token = await requireToken($("main")); // the kit may sign in first
const PAGE = 20;
const FILTERS = [
  ["", "全部"],
  ["submitted", "待受理"],
  ["accepted", "已受理"],
  ["assigned", "已交办"],
  ["overdue", "超期"],
  ["replied", "已办复"],
  ["reopened", "重新办理"],
  ["closed", "已办结"],
];
const CJK = /[\u4e00-\u9fff]/;
const state = { filter: "", q: "", offset: 0 };

/** A message in Chinese only: the page's words, the status hint, the service's words if Chinese. */
function tell(box, kind, message, error) {
  box.replaceChildren(el("strong", { textContent: message }));
  box.className = "notice " + kind;
  box.hidden = false;
  if (error instanceof ApiError) {
    const said = [error.detail, error.title].find((t) => t && CJK.test(t));
    box.append(el("div", { textContent: said || error.hint() || "操作未完成，请稍后再试" }));
  } else if (error) {
    box.append(el("div", { textContent: "出现意外错误，请稍后再试" }));
  }
}

function daysBetween(from, to) {
  return Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);
}

/** 办理期限 with the days left, or how long it is overdue. */
function deadline(c) {
  if (!c.due_on) return null;
  const open = c.status === "assigned";
  const left = daysBetween(today(), c.due_on);
  const text = !open ? c.due_on : left < 0 ? `${c.due_on}（已超期 ${-left} 天）` : `${c.due_on}（剩余 ${left} 天）`;
  return el("div", { class: "fact" }, [
    el("span", { class: "label", textContent: "办理期限" }),
    el("span", { class: "deadline" + (open && left < 0 ? " overdue" : ""), "data-role": "deadline", textContent: text }),
  ]);
}

function isOverdue(c) {
  return c.status === "assigned" && c.due_on && daysBetween(today(), c.due_on) < 0;
}

async function act(c, action, body, button, done) {
  button.disabled = true;
  try {
    await api(token, "POST", `/v1/concerns/${encodeURIComponent(c.id)}/${action}`, body);
    tell($("duty-notice"), "ok", done);
    await Promise.all([loadDuty(), loadDispatches()]);
  } catch (error) {
    tell($("duty-notice"), "error", "操作未完成", error);
    button.disabled = false;
  }
}

function smallForm(title, role, fields, buttonText, onSubmit) {
  const form = el("form", { noValidate: true, "data-role": role }, [el("h3", { textContent: title }), ...fields]);
  const send = el("button", { type: "submit", textContent: buttonText });
  form.append(el("div", { class: "actions" }, [send]));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    onSubmit(send);
  });
  return form;
}

function labelled(text, input, id) {
  input.id = id;
  return [el("label", { for: id, textContent: text }), input];
}

function rejectForm(c) {
  const reason = el("textarea", { maxLength: 500, placeholder: "请说明不予受理的理由，反映人可以看到" });
  return smallForm("不予受理", "reject", labelled("理由", reason, "reason-" + c.id), "不予受理", (send) => {
    if (!reason.value.trim()) return tell($("duty-notice"), "error", "请填写不予受理的理由");
    act(c, "reject", { reason: reason.value.trim() }, send, "已不予受理，反映人将看到理由");
  });
}

function mergeForm(c) {
  const search = el("input", { type: "search", maxLength: 100, placeholder: "输入标题关键词" });
  const target = el("select", {}, [el("option", { value: "", textContent: "先搜索同一委员的事项" })]);
  let timer = null;
  async function find() {
    const params = new URLSearchParams({ member_id: c.member_id, limit: "100" });
    try {
      const page = await getJson(token, "/v1/concerns?" + params);
      const words = search.value.trim();
      const found = page.items.filter((x) => x.id !== c.id && !["merged", "rejected"].includes(x.status) && (!words || x.title.includes(words)));
      target.replaceChildren(
        el("option", { value: "", textContent: found.length ? "请选择要并入的事项" : "没有可并入的事项" }),
        ...found.map((x) => el("option", { value: x.id, textContent: `${x.title}（${label(LABELS.concern_status, x.status)}）` })),
      );
    } catch {
      target.replaceChildren(el("option", { value: "", textContent: "加载失败" }));
    }
  }
  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(find, 250);
  });
  find();
  const fields = [...labelled("搜索事项", search, "merge-search-" + c.id), ...labelled("并入事项", target, "merge-into-" + c.id)];
  return smallForm("合并重复事项", "merge", fields, "合并", (send) => {
    if (!target.value) return tell($("duty-notice"), "error", "请选择要并入的事项");
    act(c, "merge", { into: target.value }, send, "已合并");
  });
}

function assignForm(c) {
  const picker = departmentPicker(token, c.region_code, c.id);
  const due = el("input", { type: "date", min: today() });
  const fields = [picker.node, ...labelled("办理期限", due, "due-" + c.id)];
  return smallForm("交办", "assign", fields, "交办", (send) => {
    if (!picker.code() || !due.value) return tell($("duty-notice"), "error", "请选择承办单位并填写办理期限");
    act(c, "assign", { department_code: picker.code(), due_on: due.value }, send, "已交办");
  });
}

function upgradeForm(c) {
  const to = el("select");
  to.replaceChildren(...Object.entries(LABELS.upgrade_target).map(([v, t]) => el("option", { value: v, textContent: t })));
  const reference = el("input", { type: "text", maxLength: 100, placeholder: "如 社情民意〔2026〕12号" });
  const fields = [...labelled("升级为", to, "upgrade-to-" + c.id), ...labelled("文号", reference, "upgrade-ref-" + c.id)];
  return smallForm("升级", "upgrade", fields, "升级", (send) => {
    if (!reference.value.trim()) return tell($("duty-notice"), "error", "请填写文号");
    act(c, "upgrade", { to: to.value, reference: reference.value.trim() }, send, "已升级为" + label(LABELS.upgrade_target, to.value));
  });
}

function actions(c) {
  const box = el("div", { class: "office-actions" });
  if (c.status === "submitted") {
    const accept = el("button", { type: "button", textContent: "受理" });
    accept.addEventListener("click", () => act(c, "accept", undefined, accept, "已受理"));
    box.append(el("form", { "data-role": "accept" }, [el("h3", { textContent: "受理" }), el("div", { class: "actions" }, [accept])]));
    box.append(rejectForm(c), mergeForm(c));
  }
  if (c.status === "accepted" || c.status === "reopened") box.append(assignForm(c));
  if (["accepted", "assigned", "replied", "closed"].includes(c.status) && !c.upgraded_to) box.append(upgradeForm(c));
  return box.childElementCount ? box : null;
}

function item(c) {
  // A constituent is known by an account id, never shown; a liaison by their masked name.
  const who = c.submitter && (c.submitter.display_name || (c.submitter.constituent ? "群众（网上反映）" : null));
  return el("li", { "data-concern-id": c.id, "data-status": c.status, class: isOverdue(c) ? "is-overdue" : "" }, [
    el("div", { class: "item-title" }, [
      el("span", { textContent: c.title }),
      el("span", { class: "badge " + (isOverdue(c) ? "overdue" : c.status), "data-role": "status", textContent: isOverdue(c) ? "超期" : label(LABELS.concern_status, c.status) }),
    ]),
    fact("类别", label(LABELS.concern_kind, c.kind)),
    fact("界别", label(LABELS.sector, c.sector_code)),
    fact("提交日期", c.submitted_at.slice(0, 10)),
    who ? fact("反映人", who) : null,
    c.department_name ? fact("承办单位", c.department_name) : null,
    deadline(c),
    c.upgraded_to ? fact("已升级为", `${label(LABELS.upgrade_target, c.upgraded_to)}（${c.upgrade_reference}）`) : null,
    el("p", { class: "body-text", textContent: c.body }),
    roundsList(c),
    actions(c),
  ]);
}

async function loadDuty() {
  const params = new URLSearchParams({ limit: String(PAGE), offset: String(state.offset) });
  if (state.filter) params.set("state", state.filter);
  if (state.q) params.set("q", state.q);
  try {
    const page = await getJson(token, "/v1/duty-list?" + params);
    $("duty").replaceChildren(...page.items.map(item));
    if (!page.items.length) $("duty").append(el("li", { class: "empty", textContent: "没有符合条件的事项" }));
    const pages = Math.max(1, Math.ceil(page.total / PAGE));
    const current = Math.floor(state.offset / PAGE) + 1;
    $("duty-summary").textContent = `共 ${page.total} 件，按紧急程度排列（超期的在前）`;
    $("page-label").textContent = `第 ${current} / ${pages} 页`;
    $("prev").disabled = state.offset === 0;
    $("next").disabled = state.offset + PAGE >= page.total;
  } catch (error) {
    $("duty").replaceChildren();
    tell($("duty-notice"), "error", "履职清单加载失败", error);
  }
}

/** Why the platform did not take it, in words staff act on. */
function reason(d) {
  const status = /\b([45]\d\d)\b/.exec(d.last_error || "")?.[1];
  if (status) return `处置平台拒收（状态码 ${status}）`;
  if (d.last_error && CJK.test(d.last_error)) return d.last_error;
  return "处置平台无法连接或超时";
}

async function loadDispatches() {
  const list = $("dispatches");
  try {
    const failed = await getJson(token, "/v1/duty-list/failed-dispatches");
    list.replaceChildren(
      ...failed.map((d) => {
        const retry = el("button", { type: "button", textContent: "重新发送" });
        retry.addEventListener("click", async () => {
          retry.disabled = true;
          try {
            await api(token, "POST", `/v1/bridge/dispatches/${encodeURIComponent(d.id)}/retry`);
            tell($("dispatch-notice"), "ok", "已重新发送");
            await loadDispatches();
          } catch (error) {
            tell($("dispatch-notice"), "error", "重新发送未成功", error);
            retry.disabled = false;
          }
        });
        return el("li", { "data-dispatch-id": d.id }, [
          el("div", { class: "item-title" }, [el("span", { textContent: d.title })]),
          fact("承办单位", d.department_name),
          fact("尝试次数", d.attempts),
          el("div", { class: "fact dispatch-error" }, [el("span", { class: "label", textContent: "失败原因" }), reason(d)]),
          el("div", { class: "actions" }, [retry]),
        ]);
      }),
    );
    if (!failed.length) list.append(el("li", { class: "empty", textContent: "没有发送失败的交办" }));
  } catch (error) {
    list.replaceChildren();
    tell($("dispatch-notice"), "error", "交办发送情况加载失败", error);
  }
}

function filters() {
  const group = $("filters");
  for (const [value, text] of FILTERS) {
    const button = el("button", { type: "button", textContent: text, "aria-pressed": String(value === state.filter), "data-filter": value });
    button.addEventListener("click", () => {
      state.filter = value;
      state.offset = 0;
      for (const b of group.querySelectorAll("button")) b.setAttribute("aria-pressed", String(b === button));
      hide($("duty-notice"));
      loadDuty();
    });
    group.append(button);
  }
}

if (token) {
  filters();
  $("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    state.q = $("search").value.trim();
    state.offset = 0;
    loadDuty();
  });
  $("prev").addEventListener("click", () => {
    state.offset = Math.max(0, state.offset - PAGE);
    loadDuty();
  });
  $("next").addEventListener("click", () => {
    state.offset += PAGE;
    loadDuty();
  });
  loadDuty();
  loadDispatches();
}
