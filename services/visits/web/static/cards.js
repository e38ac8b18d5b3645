// The visits pages' own pieces: a labelled fact on a card, and a concern's rounds.
// The token, API calls and DOM building come from the page kit (/app/kit/kit.js).

import { el } from "/app/kit/kit.js";

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
