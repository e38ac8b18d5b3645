// Small SVG charts (no library, no network): grouped bars and lines over named categories.
// Every mark carries data-series / data-category / data-value so tests and readers can check
// what was drawn; tooltips are <title> elements (text only).

const SVG = "http://www.w3.org/2000/svg";
export const PALETTE = ["#c62828", "#1f6fb2", "#e39b00", "#2a9d8f", "#7b4fa0"];
const H = 300;
const PAD = { top: 36, right: 16, bottom: 58, left: 52 };
const LABEL_PX = 64; // room for a category label of about five characters

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Draw at the container's own width, so text keeps its CSS size whatever the panel's width. */
function width(container) {
  return Math.max(360, Math.round(container.clientWidth || 760));
}

function frame(title, W) {
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: "img", "aria-label": title });
  root.append(svg("title", {}, title));
  return root;
}

function clip(text, max) {
  return text.length > max ? text.slice(0, max - 1) + "…" : text;
}

/** Horizontal grid lines and y-axis labels from 0 to max. */
function axis(root, W, max, format) {
  const plotH = H - PAD.top - PAD.bottom;
  for (let i = 0; i <= 4; i += 1) {
    const y = PAD.top + plotH - (plotH * i) / 4;
    root.append(svg("line", { x1: PAD.left, x2: W - PAD.right, y1: y, y2: y, class: "grid" }));
    root.append(svg("text", { x: PAD.left - 8, y: y + 4, class: "tick y" }, format((max * i) / 4)));
  }
}

function legend(root, series) {
  let x = PAD.left;
  series.forEach((s, i) => {
    const color = s.color || PALETTE[i % PALETTE.length];
    root.append(svg("rect", { x, y: 10, width: 12, height: 12, rx: 2, fill: color, class: "key" }));
    root.append(svg("text", { x: x + 16, y: 20, class: "legend" }, s.name));
    x += 28 + s.name.length * 14;
  });
}

function categoryLabel(root, x, text, selectable) {
  const label = svg("text", { x, y: H - PAD.bottom + 20, class: "tick x" + (selectable ? " link" : "") });
  label.textContent = clip(text, 8);
  return root.appendChild(label);
}

/**
 * Grouped bars: one group per category, one bar per series. `null` draws no bar (nothing was
 * due); 0 draws a 2-pixel stub so "none" is visibly different from "no data".
 */
export function barChart(container, { title, categories, series, max = 1, format, onSelect }) {
  const plot = plotArea(container, { title, categories, series, max, format });
  if (!plot) return null;
  const { root, plotH, step, every } = plot;
  const barW = Math.min(44, (step * 0.7) / series.length);
  categories.forEach((category, c) => {
    const left = PAD.left + step * c + (step - barW * series.length) / 2;
    const group = svg("g", { class: "group", "data-category": category.key });
    series.forEach((s, i) => {
      const value = s.values[c];
      if (value === null || value === undefined) return;
      const h = Math.max(2, (Math.min(value, max) / max) * plotH);
      const x = left + i * barW;
      const y = PAD.top + plotH - h;
      const bar = svg("rect", {
        x: x + 1, y, width: barW - 2, height: h, rx: 2,
        fill: s.color || PALETTE[i % PALETTE.length],
        class: "bar", "data-series": s.key, "data-category": category.key, "data-value": value,
      });
      bar.append(svg("title", {}, `${category.label} · ${s.name}：${format(value)}`));
      group.append(bar);
      if (barW >= 30) {
        group.append(svg("text", { x: x + barW / 2, y: y - 4, class: "value" }, format(value)));
      }
    });
    if (c % every === 0) {
      const label = categoryLabel(group, PAD.left + step * c + step / 2, category.label, !!onSelect);
      label.append(svg("title", {}, (onSelect ? "查看" : "") + category.label));
    }
    if (onSelect) {
      group.classList.add("selectable");
      group.addEventListener("click", () => onSelect(category));
    }
    root.append(group);
  });
  container.append(root);
  return root;
}

/** Lines over ordered categories (periods); a null value breaks the line and draws no point. */
export function lineChart(container, { title, categories, series, max = 1, format }) {
  const plot = plotArea(container, { title, categories, series, max, format });
  if (!plot) return null;
  const { root, plotH, step, every } = plot;
  const xAt = (c) => PAD.left + step * c + step / 2;
  const yAt = (v) => PAD.top + plotH - (Math.min(v, max) / max) * plotH;
  categories.forEach((category, c) => {
    if (c % every === 0) categoryLabel(root, xAt(c), category.label, false);
  });
  series.forEach((s, i) => {
    const color = s.color || PALETTE[i % PALETTE.length];
    let run = [];
    const flush = () => {
      if (run.length > 1) root.append(svg("polyline", { points: run.join(" "), stroke: color, class: "line" }));
      run = [];
    };
    s.values.forEach((value, c) => {
      if (value === null || value === undefined) return flush();
      run.push(`${xAt(c)},${yAt(value)}`);
    });
    flush();
    s.values.forEach((value, c) => {
      if (value === null || value === undefined) return;
      const point = svg("circle", {
        cx: xAt(c), cy: yAt(value), r: 4.5, fill: color,
        class: "point", "data-series": s.key, "data-category": categories[c].key, "data-value": value,
      });
      point.append(svg("title", {}, `${categories[c].label} · ${s.name}：${format(value)}`));
      root.append(point);
    });
  });
  container.append(root);
  return root;
}

/**
 * What both charts start with: an emptied container, the frame, axis and legend, and the plot's
 * size per category. Null (after a "no data" note) when there is nothing to draw.
 */
function plotArea(container, { title, categories, series, max, format }) {
  container.replaceChildren();
  if (categories.length === 0) return empty(container);
  const W = width(container);
  const root = frame(title, W);
  axis(root, W, max, format);
  legend(root, series);
  const plotH = H - PAD.top - PAD.bottom;
  const step = (W - PAD.left - PAD.right) / categories.length;
  const every = Math.ceil(LABEL_PX / step); // many members: label every n-th group only
  return { root, plotH, step, every };
}

function empty(container) {
  const note = document.createElement("p");
  note.className = "empty";
  note.textContent = "所选条件下暂无数据";
  container.append(note);
  return null;
}
