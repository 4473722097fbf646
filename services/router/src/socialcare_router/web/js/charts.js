// Small inline-SVG bar charts (no library, no CDN): each is a figure with a caption, an
// accessible name and a text value on every bar.

const NS = "http://www.w3.org/2000/svg";

function svg(tag, attrs = {}, text) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

// entries: [[label, value], ...]; format turns a value into its label.
export function barChart(title, entries, { format = String, max, id } = {}) {
  const figure = document.createElement("figure");
  figure.className = "chart";
  if (id) figure.id = id;
  const caption = document.createElement("figcaption");
  caption.textContent = title;
  const rowH = 22;
  const labelW = 130;
  const width = 420;
  const height = Math.max(1, entries.length) * rowH + 4;
  const top = max ?? Math.max(1, ...entries.map(([, v]) => v ?? 0));
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", width: "100%",
    "aria-label": `${title}: ${entries.map(([l, v]) => `${l} ${format(v)}`).join(", ") || "no data"}` });
  if (!entries.length) chart.append(svg("text", { x: 4, y: 16, class: "axis" }, "no data yet"));
  entries.forEach(([label, value], i) => {
    const y = i * rowH + 2;
    const w = Math.max(0, ((value ?? 0) / top) * (width - labelW - 60));
    chart.append(
      svg("text", { x: labelW - 6, y: y + 15, "text-anchor": "end", class: "axis" }, label),
      svg("rect", { x: labelW, y: y + 3, width: w, height: rowH - 6, rx: 2, class: "bar" }),
      svg("text", { x: labelW + w + 6, y: y + 15, class: "value" }, format(value)));
  });
  figure.append(caption, chart);
  return figure;
}
