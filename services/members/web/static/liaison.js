// 联系人自报情况: a liaison signed in as a constituent reports their own life change, request or
// hardship; the member is obliged to visit (八必访 nos. 5-7). Sign-in and API calls: the kit.
import { ApiError, api, hide, requireToken, say } from "/app/kit/kit.js";

const $ = (id) => document.getElementById(id);
const HINTS = { 404: "您的账号还不是联系人账号" };
const token = await requireToken($("main"));

async function linked() {
  try {
    await api(token, "GET", "/v1/me/liaison");
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return false;
    throw error;
  }
}

async function report(event) {
  event.preventDefault();
  const notice = $("report-notice");
  const kind = $("kind").value;
  const summary = $("summary").value.trim();
  if (!kind || !summary) {
    say(notice, "error", "请选择情况类别并填写具体情况");
    return;
  }
  $("report-submit").disabled = true;
  try {
    await api(token, "POST", "/v1/me/circumstances", { kind, summary });
    $("report-form").reset();
    say(notice, "ok", "已报告，联系您的委员会尽快与您联系");
  } catch (error) {
    say(notice, "error", "提交失败：" + (error.describe ? error.describe(HINTS) : "请稍后再试"), error);
  } finally {
    $("report-submit").disabled = false;
  }
}

if (token) {
  try {
    const isLiaison = await linked();
    $("report-card").hidden = !isLiaison;
    $("not-linked").hidden = isLiaison;
    hide($("report-notice"));
    $("report-form").addEventListener("submit", report);
  } catch (error) {
    $("not-linked").hidden = false;
    say($("report-notice"), "error", "加载失败", error);
  }
}
