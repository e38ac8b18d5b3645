// 履职统计看板: the caller's KPIs as cards, charts and tables, with drill-down from province to
// a member's dossier. The view lives in the URL fragment (region, member, period, sector), so
// every drill step is a link and the browser's back button walks back up.

import { claims, download, el, getJson, integer, label, obtainToken, percent } from "/app/kit/kit.js";
import { LABELS } from "/app/kit/vocabulary.js";
import { barChart, lineChart } from "./charts.js";

const $ = (id) => document.getElementById(id);
const NEXT = { province: "city", city: "county", county: "member" };
const LEVEL_CHILDREN = { city: "各市", county: "各县（市、区）", member: "各委员" };
const ROLES = {
  province_admin: "省政协办公厅",
  city_admin: "市政协办公室",
  county_admin: "县（市、区）政协办公室",
  committee_staff: "专门委员会",
  member: "政协委员",
};
const RATE_CARDS = [
  ["coverage", "联系人覆盖率", "已联系 ÷ 在册联系人"],
  ["compliance", "必访履约率", "按期完成 ÷ 到期任务"],
  ["fulfilment_rate", "必访完成率", "已完成（含逾期）÷ 到期任务"],
  ["reply_rate", "办复率", "已办复 ÷ 已交办"],
  ["on_time_reply_rate", "按时办复率", "按时办复 ÷ 已办复"],
  ["resolution_rate", "解决率", "已解决 ÷ 已交办"],
  ["satisfaction_rate", "满意率", "满意（4–5 分）÷ 已评价"],
  ["handled_rate", "办结率", "已办结 ÷ 收集问题建议"],
];
const RATE_KEYS = new Set(RATE_CARDS.map(([key]) => key));
// The contact counts per channel, named as a card has room for.
const CHANNELS = Object.entries(LABELS.channel_short).map(([code, name]) => ["contacts_" + code, name]);
const OUTCOMES = [
  ["reply_rate", "办复率"],
  ["resolution_rate", "解决率"],
  ["satisfaction_rate", "满意率"],
];
// This page's words for what the service refused (kit.js has the general ones).
const HINTS = { 403: "此账号无权查看统计", 422: "查询条件不符合要求" };
const PERIODS = { month: "按月", day: "按日", year: "按年" };
const FORMATS = [["csv", "CSV"], ["xlsx", "Excel"], ["parquet", "Parquet"]];
const MAX_PAGES = 40; // 500 rows a page: ample for a county's members or a year of days

let token = null;
let who = null;
let labels = { regions: {}, sectors: {} };
let generation = 0;

function level(code) {
  if (code.endsWith("0000")) return "province";
  return code.endsWith("00") ? "city" : "county";
}

function regionName(code) {
  return labels.regions[code] || code;
}

function thisYear() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return [`${now.getFullYear()}-01-01`, `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`];
}

/** The view the fragment describes, with defaults for what it leaves out. */
function state() {
  const p = new URLSearchParams(location.hash.slice(1));
  const [from, to] = thisYear();
  return {
    region: p.get("region") || who.region,
    member: p.get("member") || "",
    from: p.has("from") ? p.get("from") : from,
    to: p.has("to") ? p.get("to") : to,
    sector: p.get("sector") || "",
    period: PERIODS[p.get("period")] ? p.get("period") : "month",
  };
}

function link(changes) {
  const s = { ...state(), ...changes };
  const p = new URLSearchParams();
  for (const key of ["region", "member", "sector", "period"]) if (s[key]) p.set(key, s[key]);
  p.set("from", s.from);
  p.set("to", s.to);
  return "#" + p.toString();
}

function go(changes) {
  location.hash = link(changes);
}

function query(s, groupBy, extra = {}) {
  const p = new URLSearchParams({ region_code: s.region, ...extra });
  if (s.from) p.set("from", s.from);
  if (s.to) p.set("to", s.to);
  if (s.sector) p.set("sector_code", s.sector);
  if (groupBy) p.set("group_by", groupBy);
  return p.toString();
}

/** Every row of a summary, following the cursor. */
async function rows(s, groupBy) {
  const out = [];
  let cursor = null;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const extra = { limit: "500", ...(cursor ? { cursor } : {}) };
    const body = await getJson(token, "/v1/kpi/summary?" + query(s, groupBy, extra));
    out.push(...body.rows);
    cursor = body.next_cursor;
    if (!cursor) break;
  }
  return out;
}

function rowName(row, groupBy) {
  if (groupBy === "member") return row.label || "委员 " + row.key.slice(0, 8);
  if (groupBy === "sector") return labels.sectors[row.key] || row.key;
  if (groupBy === "month") return `${row.key.slice(0, 4)}年${Number(row.key.slice(5, 7))}月`;
  if (groupBy === "day") return `${Number(row.key.slice(5, 7))}月${Number(row.key.slice(8, 10))}日`;
  if (groupBy === "year") return `${row.key.slice(0, 4)}年`;
  return regionName(row.key);
}

const rate = (row, name) => row.rates[name] || { numerator: 0, denominator: 0, value: null };
const count = (row, name) => row.counts[name] || 0;

// Charts are drawn at their panel's width; a resized window redraws them from the same data.
const drawings = new Map();

function draw(id, chart, options) {
  const again = () => chart($(id), options);
  drawings.set(id, again);
  again();
}

let resizeTimer = 0;
window.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => drawings.forEach((again) => again()), 200);
});

// ---- the parts of the page -----------------------------------------------------------------

function rateCard(row, [key, title, hint]) {
  const r = rate(row, key);
  const meter = el("div", { class: "meter" }, el("span"));
  meter.firstChild.style.width = r.value === null ? "0" : Math.min(100, r.value * 100) + "%";
  const card = el("article", { class: "card rate", "data-kpi": key }, [
    el("h3", { textContent: title }),
    el("div", { class: "value", textContent: percent(r.value) }),
    el("div", { class: "ratio", textContent: `${integer(r.numerator)} / ${integer(r.denominator)}` }),
    meter,
    el("div", { class: "hint", textContent: hint }),
  ]);
  if (key === "compliance") {
    const late = count(row, "obligations_fulfilled_late");
    const open = count(row, "obligations_overdue");
    const text = `逾期完成 ${integer(late)} 项 · 逾期未完成 ${integer(open)} 项`;
    card.append(el("div", { class: "note", "data-role": "late", textContent: text }));
  }
  return card;
}

function countCard(key, title, value, hint) {
  return el("article", { class: "card count", "data-kpi": key }, [
    el("h3", { textContent: title }),
    el("div", { class: "value", textContent: value }),
    el("div", { class: "hint", textContent: hint }),
  ]);
}

function renderCards(row) {
  const contacts = countCard("contacts", "联系次数", integer(count(row, "contacts")), "五个渠道合计");
  contacts.append(
    el(
      "ul",
      { class: "channels" },
      CHANNELS.map(([key, name]) =>
        el("li", { "data-channel": key }, [el("span", { textContent: name }), integer(count(row, key))]),
      ),
    ),
  );
  const days = row.average_days_to_reply;
  $("cards").replaceChildren(
    ...RATE_CARDS.map((spec) => rateCard(row, spec)),
    contacts,
    countCard("people_reached", "走访人次", integer(count(row, "people_reached")), "联系记录中的走访人数"),
    countCard("heart_to_heart_talks", "谈心谈话", integer(count(row, "heart_to_heart_talks")), "人次"),
    countCard("concerns_collected", "收集问题建议", integer(count(row, "concerns_collected")), "件"),
    countCard(
      "upgrades",
      "社情民意 / 提案",
      `${integer(count(row, "public_opinion_reports"))} / ${integer(count(row, "proposals"))}`,
      "由问题建议转化",
    ),
    countCard("average_days_to_reply", "平均办复天数", days === null ? "—" : days.toFixed(1), "从收集到首次办复"),
  );
}

function rateCell(row, name) {
  const r = rate(row, name);
  return el("td", { class: "num", "data-rate": name }, [
    percent(r.value),
    el("small", { textContent: ` ${r.numerator}/${r.denominator}` }),
  ]);
}

const FIRST_HEADINGS = { month: "月份", day: "日期", year: "年度", sector: "界别", member: "委员" };

function table(target, groupBy, list, columns, href) {
  const first = FIRST_HEADINGS[groupBy] || "地区";
  const head = el("tr", {}, [el("th", { textContent: first }), ...columns.map(([, t]) => el("th", { textContent: t }))]);
  const body = list.map((row) => {
    const name = rowName(row, groupBy);
    const cell = href ? el("a", { href: href(row), textContent: name }) : name;
    return el("tr", { "data-key": row.key }, [
      el("td", {}, cell),
      ...columns.map(([key]) =>
        RATE_KEYS.has(key)
          ? rateCell(row, key)
          : el("td", { class: "num", textContent: integer(count(row, key)) }),
      ),
    ]);
  });
  $(target).replaceChildren(el("thead", {}, head), el("tbody", {}, body));
}

function renderRegions(s, groupBy, list) {
  const scopeName = regionName(s.region);
  $("regions-title").textContent = `${scopeName}${LEVEL_CHILDREN[groupBy]}联系人覆盖率与必访履约率`;
  const target = (row) => (groupBy === "member" ? link({ member: row.key }) : link({ region: row.key }));
  const categories = list.map((row) => ({ key: row.key, label: rowName(row, groupBy), row }));
  draw("chart-regions", barChart, {
    title: $("regions-title").textContent,
    categories,
    series: [
      { key: "coverage", name: "联系人覆盖率", values: list.map((r) => rate(r, "coverage").value) },
      { key: "compliance", name: "必访履约率", values: list.map((r) => rate(r, "compliance").value) },
    ],
    format: percent,
    onSelect: (category) => (location.hash = target(category.row)),
  });
  table(
    "table-regions",
    groupBy,
    list,
    [
      ["contacts", "联系次数"],
      ["people_reached", "走访人次"],
      ["coverage", "联系人覆盖率"],
      ["compliance", "必访履约率"],
      ["reply_rate", "办复率"],
      ["resolution_rate", "解决率"],
      ["satisfaction_rate", "满意率"],
    ],
    target,
  );
  $("panel-regions").dataset.groupBy = groupBy;
}

function renderTrend(s, list) {
  const sorted = [...list].sort((a, b) => (a.key < b.key ? -1 : 1));
  draw("chart-trend", lineChart, {
    title: "办复率、解决率、满意率走势",
    categories: sorted.map((row) => ({ key: row.key, label: rowName(row, s.period) })),
    series: OUTCOMES.map(([key, name]) => ({ key, name, values: sorted.map((r) => rate(r, key).value) })),
    format: percent,
  });
  table("table-trend", s.period, sorted, [
    ["concerns_collected", "收集问题建议"],
    ["concerns_assigned", "已交办"],
    ["reply_rate", "办复率"],
    ["on_time_reply_rate", "按时办复率"],
    ["resolution_rate", "解决率"],
    ["satisfaction_rate", "满意率"],
  ]);
}

function renderSectors(list) {
  draw("chart-sectors", barChart, {
    title: "各界别办复率、解决率、满意率",
    categories: list.map((row) => ({ key: row.key, label: rowName(row, "sector") })),
    series: OUTCOMES.map(([key, name]) => ({ key, name, values: list.map((r) => rate(r, key).value) })),
    format: percent,
  });
  table("table-sectors", "sector", list, [
    ["contacts", "联系次数"],
    ["coverage", "联系人覆盖率"],
    ["compliance", "必访履约率"],
    ["reply_rate", "办复率"],
    ["resolution_rate", "解决率"],
    ["satisfaction_rate", "满意率"],
  ]);
}

/** The smallest 4 × (1, 2, 2.5 or 5 × 10^k) at or above `top`: round grid lines. */
function niceMax(top) {
  const magnitude = 10 ** Math.floor(Math.log10(top / 4));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * magnitude).find((x) => x * 4 >= top);
  return step * 4;
}

function renderChannels(row) {
  const values = CHANNELS.map(([key]) => count(row, key));
  const max = niceMax(Math.max(4, ...values));
  draw("chart-channels", barChart, {
    title: "五个渠道联系次数",
    categories: CHANNELS.map(([key, name]) => ({ key, label: name })),
    series: [{ key: "contacts", name: "联系次数", values, color: "#1f6fb2" }],
    max,
    format: (v) => integer(Math.round(v)),
  });
}

// ---- filters, breadcrumbs, exports ---------------------------------------------------------

function option(value, text) {
  return el("option", { value, textContent: text });
}

function regionChoices(root, current) {
  const prefix = level(root) === "province" ? root.slice(0, 2) : root.slice(0, 4);
  const childLevel = NEXT[level(root)];
  const codes = new Set([root, current]);
  if (childLevel !== "member") {
    for (const code of Object.keys(labels.regions)) {
      if (code.startsWith(prefix) && code !== root && level(code) === childLevel) codes.add(code);
    }
  }
  return [...codes].sort();
}

function syncFilters(s) {
  $("from").value = s.from;
  $("to").value = s.to;
  $("sector").value = s.sector;
  $("period").value = s.period;
  $("region").replaceChildren(...regionChoices(who.region, s.region).map((c) => option(c, regionName(c))));
  $("region").value = s.region;
  $("period-line").textContent = `统计期间：${s.from || "不限"} 至 ${s.to || "不限"}`;
}

function crumbs(s, memberName) {
  const chain = [who.region];
  if (level(who.region) === "province" && level(s.region) === "county") chain.push(s.region.slice(0, 4) + "00");
  if (s.region !== who.region) chain.push(s.region);
  const items = chain.map((code) => el("a", { href: link({ region: code, member: "" }), textContent: regionName(code) }));
  if (s.member) items.push(el("span", { textContent: memberName || "委员履职档案" }));
  $("crumbs").replaceChildren(...items.flatMap((node, i) => (i ? [el("span", { class: "sep", textContent: "›" }), node] : [node])));
}

function exportButtons(box, groupBy) {
  box.replaceChildren(
    el("span", { class: "label", textContent: "导出" }),
    ...FORMATS.map(([format, name]) =>
      el("button", {
        type: "button",
        textContent: name,
        "data-format": format,
        onclick: () => exportTable(groupBy(), format),
      }),
    ),
  );
}

async function exportTable(groupBy, format) {
  const path = "/v1/kpi/summary/export?" + query(state(), groupBy, { format });
  try {
    const name = await download(token, path);
    say("ok", `已导出 ${name}`);
  } catch (error) {
    say("error", "导出失败：" + (error.describe ? error.describe(HINTS) : error.message));
  }
}

function say(kind, text) {
  const box = $("notice");
  box.className = "notice " + kind;
  box.textContent = text;
  box.hidden = !text;
}

// ---- the dossier ---------------------------------------------------------------------------

const EVENTS = {
  "members.member.registered.v1": ["登记为委员", () => ""],
  "members.member.updated.v1": ["委员信息更新", () => ""],
  "members.member.retired.v1": ["不再担任委员", () => ""],
  "members.member.unit_linked.v1": ["联系基层单元", () => ""],
  "visits.visit.recorded.v1": [
    "联系界别群众",
    (f) => `${label(LABELS.channel, f.channel)} · 走访 ${f.people_reached} 人次 · 谈心谈话 ${f.heart_to_heart_talks} 人次`,
  ],
  "visits.obligation.opened.v1": ["必访任务下达", (f) => `${f.title || ""} · 截止 ${f.due_on}`],
  "visits.obligation.fulfilled.v1": ["完成必访", (f) => (f.on_time ? "按期完成" : "逾期完成")],
  "visits.obligation.overdue.v1": ["必访逾期", (f) => `截止 ${f.due_on}`],
  "visits.obligation.escalated.v1": ["必访逾期上报", (f) => `第 ${f.level} 级`],
  "visits.obligation.withdrawn.v1": ["必访任务撤销", () => ""],
  "visits.concern.submitted.v1": ["收集问题建议", () => ""],
  "visits.concern.accepted.v1": ["问题建议受理", () => ""],
  "visits.concern.rejected.v1": ["问题建议不予受理", () => ""],
  "visits.concern.merged.v1": ["问题建议合并办理", () => ""],
  "visits.concern.assigned.v1": ["交办", (f) => `第 ${f.round} 轮 · 办理期限 ${f.due_on}`],
  "visits.concern.replied.v1": ["办复", (f) => (f.on_time ? "按时办复" : "超期办复")],
  "visits.concern.rated.v1": ["群众评价", (f) => `满意度 ${f.satisfaction} 分 · ${f.resolved ? "已解决" : "未解决"}`],
  "visits.concern.reopened.v1": ["重新办理", () => ""],
  "visits.concern.closed.v1": ["办结", () => ""],
  "visits.concern.upgraded.v1": [
    "转化",
    (f) => "转为" + label(LABELS.upgrade_target, f.upgraded_to),
  ],
};

function timelineItem(entry) {
  const [title, describe] = EVENTS[entry.event_type] || [entry.event_type, () => ""];
  const when = new Date(entry.occurred_at);
  const time = el("time", { dateTime: entry.occurred_at, textContent: when.toLocaleDateString("zh-CN") });
  return el("li", { "data-event-type": entry.event_type }, [
    time,
    el("strong", { textContent: title }),
    el("span", { textContent: describe(entry.facts || {}) }),
  ]);
}

function yearsTable(years) {
  const columns = [
    ["contacts", "联系次数"],
    ["people_reached", "走访人次"],
    ["heart_to_heart_talks", "谈心谈话"],
    ["coverage", "联系人覆盖率"],
    ["compliance", "必访履约率"],
    ["reply_rate", "办复率"],
    ["resolution_rate", "解决率"],
    ["satisfaction_rate", "满意率"],
  ];
  const list = years.map((y) => ({ ...y.kpis, key: String(y.year) }));
  table("dossier-years", "year", list, columns);
}

async function showDossier(s, mine) {
  $("overview").hidden = true;
  $("dossier").hidden = false;
  $("dossier").dataset.state = "loading";
  const id = encodeURIComponent(s.member);
  const d = await getJson(token, `/v1/members/${id}/dossier`);
  if (mine !== generation) return;
  const m = d.member;
  crumbs(s, m.full_name);
  $("dossier-name").textContent = `${m.full_name || "委员"} 的履职档案`;
  $("dossier-profile").replaceChildren(
    ...[
      ["地区", regionName(m.region_code)],
      ["界别", labels.sectors[m.sector_code] || m.sector_code],
      ["专委会", m.special_committee_code || "—"],
      ["状态", m.status === "retired" ? "已退出" : "在任"],
    ].map(([k, v]) => el("div", { class: "fact" }, [el("span", { class: "label", textContent: k }), v])),
  );
  yearsTable(d.years);
  const items = d.timeline.slice().reverse().map(timelineItem);
  $("dossier-timeline").replaceChildren(...(items.length ? items : [el("li", { class: "empty", textContent: "暂无履职记录" })]));
  $("dossier-csv").onclick = async () => {
    try {
      say("ok", `已导出 ${await download(token, `/v1/members/${id}/dossier?format=csv`)}`);
    } catch (error) {
      say("error", "导出失败：" + (error.describe ? error.describe(HINTS) : error.message));
    }
  };
  $("dossier-back").href = link({ member: "" });
  $("dossier").dataset.state = "ready";
}

// ---- one render per fragment change --------------------------------------------------------

async function panel(id, work) {
  const box = $(id).querySelector(".panel-notice");
  box.hidden = true;
  try {
    await work();
  } catch (error) {
    box.textContent = "加载失败：" + (error.describe ? error.describe(HINTS) : error.message);
    box.hidden = false;
  }
}

async function render() {
  const mine = ++generation;
  const s = state();
  syncFilters(s);
  crumbs(s);
  say("", "");
  if (s.member) {
    try {
      await showDossier(s, mine);
    } catch (error) {
      say("error", "履职档案加载失败：" + (error.describe ? error.describe(HINTS) : error.message));
    }
    return;
  }
  $("dossier").hidden = true;
  $("overview").hidden = false;
  $("overview").dataset.state = "loading";
  const groupBy = NEXT[level(s.region)];
  const current = () => mine === generation; // a later render has taken over
  await Promise.all([
    panel("panel-cards", async () => {
      const [total] = await rows(s, null);
      if (!current()) return;
      const row = total || { key: "all", counts: {}, rates: {}, average_days_to_reply: null };
      renderCards(row);
      renderChannels(row);
    }),
    panel("panel-regions", async () => {
      const list = await rows(s, groupBy);
      if (current()) renderRegions(s, groupBy, list);
    }),
    panel("panel-trend", async () => {
      const list = await rows(s, s.period);
      if (current()) renderTrend(s, list);
    }),
    panel("panel-sectors", async () => {
      const list = await rows(s, "sector");
      if (current()) renderSectors(list);
    }),
  ]);
  if (mine === generation) $("overview").dataset.state = "ready";
}

function wire() {
  $("filters").addEventListener("submit", (event) => {
    event.preventDefault();
    go({ from: $("from").value, to: $("to").value, sector: $("sector").value, region: $("region").value, member: "" });
  });
  $("period").addEventListener("change", () => go({ period: $("period").value }));
  exportButtons($("export-total"), () => null);
  exportButtons($("export-regions"), () => NEXT[level(state().region)]);
  exportButtons($("export-trend"), () => state().period);
  exportButtons($("export-sectors"), () => "sector");
  window.addEventListener("hashchange", render);
}

async function main() {
  token = await obtainToken();
  who = token ? claims(token) : null;
  if (!who || !who.region) {
    say("error", "缺少登录凭据，请通过系统发给您的链接打开本页面");
    $("overview").hidden = true;
    return;
  }
  $("scope-line").textContent = `${ROLES[who.role] || who.role} · 数据范围：${who.region}`;
  try {
    labels = await getJson(token, "/v1/kpi/labels");
  } catch (error) {
    say("error", "加载失败：" + (error.describe ? error.describe(HINTS) : error.message));
    return;
  }
  $("scope-line").textContent = `${ROLES[who.role] || who.role} · 数据范围：${regionName(who.region)}`;
  $("sector").replaceChildren(
    option("", "全部界别"),
    ...Object.entries(labels.sectors).map(([code, name]) => option(code, name)),
  );
  $("period").replaceChildren(...Object.entries(PERIODS).map(([v, t]) => option(v, t)));
  wire();
  await render();
}

main();
