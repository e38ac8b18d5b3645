// 群众: submit a micro-suggestion to a member, follow my submissions, rate the answers.
import {
  api, el, say, hide, newKey, options, requireToken, fragmentParam, label,
} from "/app/kit/kit.js";
import { LABELS } from "/app/kit/vocabulary.js";
import { fact, roundsList } from "./cards.js";

const $ = (id) => document.getElementById(id);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const token = await requireToken($("main")); // signing in brings the fragment back with it
const member = fragmentParam("member");
let submitKey = newKey();

function rateForm(c) {
  const form = el("form", { class: "inline-form", noValidate: true, "data-role": "rate" });
  const score = el("select", { name: "satisfaction" });
  options(score, [["", "请选择"], ["5", "5 分 非常满意"], ["4", "4 分 满意"], ["3", "3 分 基本满意"], ["2", "2 分 不满意"], ["1", "1 分 非常不满意"]]);
  const resolved = el("select", { name: "resolved" });
  options(resolved, [["", "请选择"], ["yes", "已解决"], ["no", "未解决"]]);
  const send = el("button", { type: "submit", textContent: "提交评价" });
  score.id = "score-" + c.id;
  resolved.id = "resolved-" + c.id;
  form.append(
    el("label", { for: score.id, textContent: "满意度（1–5 分）" }), score,
    el("label", { for: resolved.id, textContent: "问题是否解决" }), resolved,
    el("div", { class: "actions" }, [send]),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const notice = $("mine-notice");
    if (!score.value || !resolved.value) {
      say(notice, "error", "请选择满意度和是否解决");
      return;
    }
    send.disabled = true;
    try {
      const body = { satisfaction: Number(score.value), resolved: resolved.value === "yes" };
      await api(token, "POST", `/v1/concerns/${encodeURIComponent(c.id)}/rate`, body);
      say(notice, "ok", "感谢您的评价");
      await loadMine(false);
    } catch (error) {
      say(notice, "error", "评价未提交", error);
      send.disabled = false;
    }
  });
  return form;
}

function concernItem(c) {
  const answered = c.status === "replied";
  return el("li", { "data-concern-id": c.id, "data-status": c.status }, [
    el("div", { class: "item-title" }, [
      el("span", { textContent: c.title }),
      el("span", { class: "badge " + c.status, "data-role": "status", textContent: label(LABELS.concern_status, c.status) }),
    ]),
    fact("类别", label(LABELS.concern_kind, c.kind)),
    fact("提交时间", new Date(c.submitted_at).toLocaleString("zh-CN")),
    el("p", { class: "body-text", textContent: c.body }),
    roundsList(c),
    c.status === "rejected" ? rejectionReason(c) : null,
    answered ? rateForm(c) : null,
  ]);
}

/** Why the office did not accept it: the note it wrote for the submitter. */
function rejectionReason(c) {
  const box = el("div", { class: "fact", "data-role": "reject-reason" }, [el("span", { class: "label", textContent: "不予受理理由" })]);
  api(token, "GET", `/v1/concerns/${encodeURIComponent(c.id)}/history`)
    .then((steps) => box.append(steps.filter((s) => s.action === "reject").map((s) => s.note).pop() || "未说明"))
    .catch(() => box.append("暂时无法显示"));
  return box;
}

async function loadMine(clearNotice = true) {
  const list = $("mine");
  try {
    const page = await api(token, "GET", "/v1/concerns?limit=200");
    if (clearNotice) hide($("mine-notice"));
    list.replaceChildren(...page.items.map(concernItem));
    if (!page.items.length) list.append(el("li", { class: "empty", textContent: "您还没有提交过反映" }));
  } catch (error) {
    list.replaceChildren();
    say($("mine-notice"), "error", "加载失败", error);
  }
}

async function submit(event) {
  event.preventDefault();
  const notice = $("submit-notice");
  const body = {
    member_id: $("member_id").value.trim(),
    kind: $("kind").value,
    title: $("title").value.trim(),
    body: $("body").value.trim(),
    consent_to_share_identity: $("consent").checked,
  };
  const problems = [];
  if (!UUID.test(body.member_id)) problems.push("委员编号格式不正确");
  if (!body.title) problems.push("请填写标题");
  if (!body.body) problems.push("请填写具体内容");
  if (problems.length) {
    say(notice, "error", problems.join("；"));
    return;
  }
  const button = $("concern-submit");
  button.disabled = true;
  try {
    await api(token, "POST", "/v1/concerns/online", body, submitKey);
    submitKey = newKey();
    say(notice, "ok", "提交成功，委员会尽快处理");
    for (const id of ["title", "body"]) $(id).value = "";
    $("consent").checked = false;
    await loadMine();
  } catch (error) {
    say(notice, "error", "提交失败", error);
  } finally {
    button.disabled = false;
  }
}

if (token) {
  options($("kind"), Object.entries(LABELS.concern_kind));
  if (member) $("member_id").value = member;
  $("concern-form").addEventListener("submit", submit);
  $("concern-form").addEventListener("input", () => { submitKey = newKey(); });
  loadMine();
}
