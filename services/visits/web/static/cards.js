// The visits pages' own pieces: a labelled fact on a card, and a concern's rounds.
// The token, API calls and DOM building come from the page kit (/app/kit/kit.js).

import { el, getJson } from "/app/kit/kit.js";

/** A small labelled line "label：value" for cards. */
export function fact(label, value) {
  return el("div", { class: "fact" }, [el("span", { class: "label", textContent: label }), String(value)]);
}

/** The rounds of a concern (assignment → reply → rating) as a list. */
export function roundsList(concern) {
  const list = el("ol", { class: "rounds" });
  for (const r of concern.rounds || []) {
    const item = el("li", { "data-round": r.round }, [
      fact("承办单位", r.department_name || "未登记的承办单位"),
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

/**
 * 承办单位 picked by name: a search box and the departments that may take a concern of
 * `regionCode` (from /v1/departments). `picker.code()` is the chosen one's code ("" if none);
 * codes never show.
 */
export function departmentPicker(token, regionCode, idSuffix) {
  const search = el("input", { type: "search", maxLength: 100, placeholder: "输入名称搜索，如 教育局", autocomplete: "off" });
  const select = el("select", { required: true });
  search.id = "dept-search-" + idSuffix;
  select.id = "dept-" + idSuffix;
  let timer = null;
  async function fill() {
    const params = new URLSearchParams({ limit: "50" });
    if (regionCode) params.set("region_code", regionCode);
    if (search.value.trim()) params.set("q", search.value.trim());
    try {
      const found = await getJson(token, "/v1/departments?" + params);
      select.replaceChildren(
        el("option", { value: "", textContent: found.length ? "请选择承办单位" : "没有匹配的承办单位" }),
        ...found.map((d) => el("option", { value: d.code, textContent: d.name })),
      );
      if (found.length === 1) select.value = found[0].code;
    } catch {
      select.replaceChildren(el("option", { value: "", textContent: "承办单位名录加载失败" }));
    }
  }
  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(fill, 250);
  });
  fill();
  const node = el("div", { class: "dept-picker" }, [
    el("label", { for: search.id, textContent: "搜索承办单位" }), search,
    el("label", { for: select.id, textContent: "承办单位" }), select,
  ]);
  return { node, code: () => select.value };
}
