// The planner's workspace: loads a scenario, keeps the planner's steps (changes and
// parameter settings) with undo and redo, asks the engine for the figures after every step
// and shows them on the map and in tables. All computing is the server's (pave::engine).
"use strict";

const $ = (id) => document.getElementById(id);
const state = {
  lang: localStorage.getItem("pave-lang") || "fi",
  scenarios: [], id: 0, map: null, base: null, view: null,
  steps: [], undone: [], indicator: "minutes", selected: null, placing: null,
  sort: { districts: [0, 1], units: [0, 1] }, busy: 0,
};

function t(key, vars) {
  let s = (TEXTS[state.lang] && TEXTS[state.lang][key]) || TEXTS.en[key] || key;
  for (const [k, v] of Object.entries(vars || {})) s = s.replace("{" + k + "}", v);
  return s;
}
function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}
function num(v, digits = 0) {
  if (v === null || v === undefined || Number.isNaN(v)) return t("none");
  const r = Math.abs(v) < 0.5 * Math.pow(10, -digits) ? 0 : v;
  return new Intl.NumberFormat(LOCALES[state.lang], { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(r);
}
function pct(v, digits = 1) {
  return v === null || v === undefined ? t("none") : num(v * 100, digits) + " %";
}
// Percentage points, in the interface language.
function PP() {
  return " " + t("pp");
}
function signed(v, digits, unit) {
  if (v === null || v === undefined || Number.isNaN(v)) return "";
  if (Math.abs(v) < 0.5 * Math.pow(10, -digits)) return "±0" + unit;
  return (v > 0 ? "+" : "−") + num(Math.abs(v), digits) + unit;
}

// ---- the planner's steps ------------------------------------------------------------
function edits() {
  const e = { changes: [] };
  for (const s of state.steps) {
    if (s.change) e.changes.push(s.change);
    else e[s.key] = s.value;
  }
  return e;
}
function push(step) {
  state.steps.push(step);
  state.undone = [];
  refresh();
}

async function api(path, body) {
  const res = await fetch(path, body === undefined ? {} : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  if (!res.ok) {
    let msg = res.statusText;
    try { msg = (await res.json()).error; } catch (_) { /* keep the status text */ }
    throw new Error(msg);
  }
  return res;
}

// The status line, kept as a message key so a language switch re-words it.
function setStatus(key, args) {
  state.status = key ? [key, args || {}] : null;
  $("status").textContent = key ? t(key, args || {}) : "";
}

async function refresh() {
  const started = performance.now();
  state.busy++;
  setStatus("loading");
  try {
    const res = await api(`/api/scenarios/${state.id}/evaluate`, edits());
    const answered = performance.now();
    const view = await res.json();
    const parsed = performance.now();
    state.view = view;
    $("error").hidden = true;
    render();
    const drawn = performance.now();
    document.body.dataset.timing = JSON.stringify({ server: answered - started, engine: view.engine_ms, parse: parsed - answered, render: drawn - parsed });
    setStatus("updated", { engine: num(view.engine_ms), total: num(performance.now() - started) });
    document.body.dataset.ready = String(state.steps.length);
    document.body.dataset.readyAt = String(performance.now());
  } catch (err) {
    // The engine refused the last step: say why and take it back.
    $("error").textContent = err.message;
    $("error").hidden = false;
    if (state.steps.length) { state.steps.pop(); renderChanges(); }
    setStatus(null);
  } finally {
    state.busy--;
  }
}

// ---- loading ------------------------------------------------------------------------
async function loadScenario(id) {
  state.id = id; state.steps = []; state.undone = []; state.selected = null;
  closePanels();
  state.map = await (await api(`/api/scenarios/${id}/map`)).json();
  state.base = await (await api(`/api/scenarios/${id}/evaluate`, { changes: [] })).json();
  state.view = state.base;
  state.reference = id;
  fillReferences();
  map.setBase(state.map, studied(state.base));
  const year = $("year");
  year.innerHTML = state.map.years.map((y) => `<option>${y}</option>`).join("");
  render();
  setStatus(null);
  document.body.dataset.ready = "0";
  document.body.dataset.readyAt = String(performance.now());
}

// The extent worth showing first: cells with children and the units.
function studied(view) {
  const box = [Infinity, Infinity, -Infinity, -Infinity];
  const add = (x, y) => { box[0] = Math.min(box[0], x); box[1] = Math.min(box[1], y); box[2] = Math.max(box[2], x); box[3] = Math.max(box[3], y); };
  view.cells.forEach((c, i) => { if (c.children > 0) { const r = state.map.cells[i].ring; for (let k = 0; k + 1 < r.length; k += 2) add(r[k], r[k + 1]); } });
  view.units.forEach((u) => add(u.x, u.y));
  return box[0] < box[2] ? box : state.map.extent;
}

async function start() {
  const config = await (await api("/api/config")).json();
  if (config.tiles) {
    // A background map was configured (pave serve --tiles): on by default, switchable.
    map.setTiles(config.tiles.url);
    $("background-control").hidden = false;
    $("attribution").textContent = config.tiles.attribution;
    $("attribution").hidden = false;
    $("background").addEventListener("change", () => map.showTiles($("background").checked));
  }
  state.scenarios = await (await api("/api/scenarios")).json();
  $("scenario").innerHTML = state.scenarios.map((s) => `<option value="${s.id}">${esc(s.city)}: ${esc(s.title)}</option>`).join("");
  $("lang").value = state.lang;
  translate();
  await loadScenario(0);
}

// The scenarios the edited one can be compared with: those of the same city (the same
// demand cells), each as loaded; changes everywhere are shown against the one chosen.
function fillReferences() {
  const city = state.scenarios[state.id].city;
  $("reference").innerHTML = state.scenarios.filter((s) => s.city === city)
    .map((s) => `<option value="${s.id}"${s.id === state.reference ? " selected" : ""}>${esc(t("as_loaded", { name: s.title }))}</option>`).join("");
}

async function setReference(id) {
  try {
    state.base = await (await api(`/api/scenarios/${id}/evaluate`, { changes: [] })).json();
    state.reference = id;
    // Evaluating the reference used the server's kept evaluation of that scenario; ours
    // is re-scored from the steps on the next request, as always.
    render();
  } catch (err) { $("error").textContent = err.message; $("error").hidden = false; }
}

// ---- rendering ----------------------------------------------------------------------
function translate() {
  document.documentElement.lang = state.lang;
  document.querySelectorAll("[data-t]").forEach((el) => { el.textContent = t(el.dataset.t); });
  document.querySelectorAll("[data-ta]").forEach((el) => { el.setAttribute("aria-label", t(el.dataset.ta)); });
  $("map").setAttribute("aria-label", t("map"));
}

function headline(k) {
  return k.headline_rule === "system_optimum" ? k.system_optimum : k.nearest_with_vacancy;
}

function render() {
  if (!state.view) return;
  const k = state.view.kpis, b = state.base.kpis;
  const h = headline(k), hb = headline(b);
  const params = k.provenance.parameters;
  // Parameter form shows what the scenario now uses.
  $("year").value = String(k.year);
  $("threshold").value = k.threshold_min;
  $("target").value = Math.round(k.target_share * 100);
  $("participation").value = Math.round(params.participation * 100);
  $("rule").value = k.headline_rule;
  const met = h.within_share !== null && h.within_share >= k.target_share;
  const delta = (now, was, digits, unit, better) => {
    if (now === null || was === null || now === undefined || was === undefined) return "";
    const d = now - was;
    const cls = Math.abs(d) < 0.5 * Math.pow(10, -digits) ? "same" : (d > 0) === better ? "up" : "down";
    return `<span class="delta ${cls}">${signed(d, digits, unit)}</span>`;
  };
  const pp = (v) => (v === null ? null : v * 100);
  const rows = [
    [t("nearest_share"), pct(h.nearest_share), delta(pp(h.nearest_share), pp(hb.nearest_share), 1, PP(), true)],
    [t("unserved"), num(h.unserved, 1), delta(h.unserved, hb.unserved, 1, "", false)],
    [t("mean"), num(h.mean_min, 1) + " min", delta(h.mean_min, hb.mean_min, 1, " min", false)],
    [t("p90"), num(h.p90_min, 1) + " min", delta(h.p90_min, hb.p90_min, 1, " min", false)],
    [t("children"), num(k.children, 0), delta(k.children, b.children, 0, "", true)],
    [t("places"), num(k.places, 0), delta(k.places, b.places, 0, "", true)],
    [t("units_operating"), num(k.units_operating), delta(k.units_operating, b.units_operating, 0, "", true)],
    [t("over_used"), num(k.over_used_units.length), delta(k.over_used_units.length, b.over_used_units.length, 0, "", false)],
    [t("under_used"), num(k.under_used_units.length), delta(k.under_used_units.length, b.under_used_units.length, 0, "", false)],
  ];
  const langs = ["fi", "sv", "other"].filter((g) => k.by_language[g]);
  const unservedRows = langs.map((g) => [t(g), num(k.by_language[g].unserved, 1), delta(k.by_language[g].unserved, b.by_language[g] ? b.by_language[g].unserved : null, 1, "", false)]);
  $("kpi-body").innerHTML =
    `<div class="headline ${met ? "" : "miss"}"><div>${esc(t("within", { min: num(k.threshold_min) }))}</div>` +
    `<span class="big">${pct(h.within_share)}</span> ${delta(pp(h.within_share), pp(hb.within_share), 1, PP(), true)}` +
    `<div>${esc(t("target_is", { share: pct(k.target_share, 0) }))}</div></div>` +
    `<dl class="kpi">${rows.map((r) => `<dt>${esc(r[0])}</dt><dd class="value">${r[1]}</dd><dd>${r[2]}</dd>`).join("")}</dl>` +
    `<h3 class="help">${esc(t("unserved_by_language"))}</h3>` +
    `<dl class="kpi">${unservedRows.map((r) => `<dt>${esc(r[0])}</dt><dd class="value">${r[1]}</dd><dd>${r[2]}</dd>`).join("")}</dl>`;
  renderChanges();
  renderMap();
  renderCompare();
  renderDistricts();
  if (state.selected !== null) showUnit(state.selected);
  // The unit table (hundreds of rows) follows once the KPIs and the map are up.
  clearTimeout(state.unitsTimer);
  state.unitsTimer = setTimeout(renderUnits, 0);
}

function renderChanges() {
  const list = state.steps.map((s) => `<li>${esc(describe(s))}</li>`).concat(state.undone.slice().reverse().map((s) => `<li class="undone">${esc(describe(s))}</li>`));
  $("changes").innerHTML = list.length ? list.join("") : `<li class="help empty">${esc(t("no_changes"))}</li>`;
  $("undo").disabled = !state.steps.length;
  $("redo").disabled = !state.undone.length;
  $("reset").disabled = !state.steps.length;
}

function describe(s) {
  if (s.change) return t("ch_" + s.change.action, { unit: s.change.name ? `${s.change.unit} ${s.change.name}` : s.change.unit });
  if (s.key === "year") return t("ch_year", { v: s.value });
  return t("ch_param", { k: t({ threshold_min: "threshold", target_share: "target", participation: "participation", allocation: "rule" }[s.key]), v: s.key === "allocation" ? t(s.value === "system_optimum" ? "rule_optimum" : "rule_nearest") : s.value });
}

// Colour classes per map theme: breaks, colours, and how values are read from a cell.
function theme() {
  const v = state.view, b = state.base, thr = v.kpis.threshold_min;
  const seq = ["#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"];
  const time = ["#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000", "#5c0000"];
  switch (state.indicator) {
    case "minutes": return { breaks: [5, 10, thr, thr + 10, thr + 25], colours: time, unit: " min", value: (i) => v.cells[i].minutes };
    case "change": return {
      breaks: [-5, -1, 1, 5], colours: ["#1a9641", "#a6d96a", "#f7f7f7", "#fdae61", "#d7191c"], unit: " min",
      value: (i) => (v.cells[i].minutes === null || b.cells[i].minutes === null ? null : v.cells[i].minutes - b.cells[i].minutes) };
    case "sfca": return { breaks: [0.25, 0.5, 0.75, 1, 1.5], colours: seq, unit: "", digits: 2, value: (i) => (v.cells[i].children > 0 ? v.cells[i].sfca : null) };
    case "children": return { breaks: [1, 2, 5, 10, 20], colours: seq, unit: "", value: (i) => (v.cells[i].children > 0 ? v.cells[i].children : null) };
    default: return { breaks: [0.01, 1, 2, 5], colours: ["#f7f7f7", "#fdd49e", "#fc8d59", "#d7301f", "#7f0000"], unit: "", digits: 1, value: (i) => (v.cells[i].children > 0 ? v.cells[i].unserved : null) };
  }
}
function classOf(th, x) {
  let c = 0;
  while (c < th.breaks.length && x >= th.breaks[c]) c++;
  return c;
}

function renderMap() {
  const th = theme();
  const colours = state.map.cells.map((_, i) => {
    const x = th.value(i);
    return x === null || x === undefined ? null : th.colours[classOf(th, x)] + "cc";
  });
  map.setData(colours, state.view.units, state.selected);
  const d = th.digits || 0;
  const labels = th.colours.map((c, i) => {
    const lo = i === 0 ? null : th.breaks[i - 1], hi = i < th.breaks.length ? th.breaks[i] : null;
    const text = lo === null ? `< ${num(hi, d)}` : hi === null ? `≥ ${num(lo, d)}` : `${num(lo, d)}–${num(hi, d)}`;
    return `<span><span class="sw" style="background:${c}"></span>${text}${th.unit}</span>`;
  });
  $("legend").innerHTML = `<strong>${esc(t("ind_" + state.indicator))}:</strong> ${labels.join("")}` +
    `<span><strong>${esc(t("legend_units"))}:</strong></span>` +
    `<span><span class="dot" style="background:${useColour(0.5)}"></span>${esc(t("use_low", { v: pct(USE_LOW, 0) }))}</span>` +
    `<span><span class="dot" style="background:${useColour(0.95)}"></span>${esc(t("use_ok"))}</span>` +
    `<span><span class="dot" style="background:${useColour(1.2)}"></span>${esc(t("use_high", { v: pct(USE_HIGH, 0) }))}</span>` +
    `<span><span class="dot" style="background:#fff;border-color:#666"></span>${esc(t("closed"))}</span>`;
}

function renderCompare() {
  const k = state.view.kpis, b = state.base.kpis, h = headline(k), hb = headline(b);
  const rows = [
    [t("within", { min: num(k.threshold_min) }), hb.within_share, h.within_share, (x) => pct(x), (d) => signed(d * 100, 1, PP())],
    [t("nearest_share"), hb.nearest_share, h.nearest_share, (x) => pct(x), (d) => signed(d * 100, 1, PP())],
    [t("unserved"), hb.unserved, h.unserved, (x) => num(x, 1), (d) => signed(d, 1, "")],
    [t("mean"), hb.mean_min, h.mean_min, (x) => num(x, 1) + " min", (d) => signed(d, 1, " min")],
    [t("p90"), hb.p90_min, h.p90_min, (x) => num(x, 1) + " min", (d) => signed(d, 1, " min")],
    [t("children"), b.children, k.children, (x) => num(x, 0), (d) => signed(d, 0, "")],
    [t("places"), b.places, k.places, (x) => num(x, 0), (d) => signed(d, 0, "")],
    [t("units_operating"), b.units_operating, k.units_operating, (x) => num(x, 0), (d) => signed(d, 0, "")],
  ];
  $("compare").innerHTML = `<thead><tr class="hds-table__header-row"><th scope="col">${esc(t("indicator_col"))}</th><th scope="col">${esc(t("base"))}: ${esc(state.scenarios[state.reference].name)}</th><th scope="col">${esc(t("edited"))}: ${esc(state.scenarios[state.id].name)}</th><th scope="col">${esc(t("change"))}</th></tr></thead><tbody class="hds-table__content">` +
    rows.map((r) => `<tr><th scope="row" class="text">${esc(r[0])}</th><td>${r[3](r[1])}</td><td>${r[3](r[2])}</td><td>${r[1] === null || r[2] === null ? "" : r[4](r[2] - r[1])}</td></tr>`).join("") + "</tbody>";
}

function sortable(table, key, columns, rows) {
  const [col, dir] = state.sort[key];
  const sorted = rows.slice().sort((a, b) => {
    const x = columns[col].sort(a), y = columns[col].sort(b);
    if (x === y) return 0;
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    return (x < y ? -1 : 1) * dir;
  });
  const head = columns.map((c, i) => {
    const aria = i === col ? (dir > 0 ? "ascending" : "descending") : "none";
    return `<th scope="col" aria-sort="${aria}" class="${c.text ? "text" : ""}"><button type="button" data-col="${i}">${esc(c.title)}${i === col ? (dir > 0 ? " ▲" : " ▼") : ""}</button></th>`;
  }).join("");
  $(table).innerHTML = `<thead><tr class="hds-table__header-row">${head}</tr></thead><tbody class="hds-table__content">` +
    sorted.map((r) => `<tr class="${r.status === "closed" ? "closed" : ""}">${columns.map((c) => `<td class="${c.text ? "text" : ""}">${c.show(r)}</td>`).join("")}</tr>`).join("") + "</tbody>";
  $(table).querySelectorAll("thead button").forEach((btn) => btn.addEventListener("click", () => {
    const i = Number(btn.dataset.col);
    state.sort[key] = [i, i === col ? -dir : 1];
    render();
  }));
}

function renderDistricts() {
  const names = state.map.districts;
  const rows = state.view.districts.map((d) => ({ ...d, label: names[d.code] ? (state.lang === "sv" && names[d.code][1] ? names[d.code][1] : names[d.code][0]) : d.name }));
  sortable("districts", "districts", [
    { title: t("code"), text: true, sort: (r) => r.code, show: (r) => esc(r.code) },
    { title: t("district"), text: true, sort: (r) => r.label, show: (r) => esc(r.label) },
    { title: t("children"), sort: (r) => r.kpi.children, show: (r) => num(r.kpi.children, 1) },
    { title: t("within", { min: num(state.view.kpis.threshold_min) }), sort: (r) => r.kpi.within_share, show: (r) => pct(r.kpi.within_share) },
    { title: t("nearest_share"), sort: (r) => r.kpi.nearest_share, show: (r) => pct(r.kpi.nearest_share) },
    { title: t("mean"), sort: (r) => r.kpi.mean_min, show: (r) => num(r.kpi.mean_min, 1) },
    { title: t("unserved"), sort: (r) => r.kpi.unserved, show: (r) => num(r.kpi.unserved, 1) },
    { title: t("places"), sort: (r) => r.places, show: (r) => num(r.places, 0) },
  ], rows);
}

function unitName(u) {
  return state.lang === "sv" && u.name_sv ? u.name_sv : u.name_fi;
}
function totalPlaces(u) {
  return Object.values(u.places).reduce((a, b) => a + b, 0);
}

function renderUnits() {
  const rows = state.view.units.map((u, i) => ({ ...u, index: i }));
  sortable("units", "units", [
    { title: t("id"), text: true, sort: (r) => r.id, show: (r) => `<button type="button" class="link" data-unit="${r.index}">${esc(r.id)}</button>` },
    { title: t("name"), text: true, sort: (r) => unitName(r), show: (r) => esc(unitName(r)) },
    { title: t("status_col"), text: true, sort: (r) => r.status, show: (r) => esc(t("st_" + r.status)) },
    { title: t("places"), sort: (r) => totalPlaces(r), show: (r) => num(totalPlaces(r)) + ` <span class="help">(${Object.entries(r.places).map(([l, n]) => `${l === "shared" ? t("shared") : l} ${n}`).join(", ")})</span>` },
    { title: t("placed"), sort: (r) => r.placed, show: (r) => num(r.placed, 1) },
    { title: t("utilisation"), sort: (r) => r.utilisation, show: (r) => pct(r.utilisation, 0) },
    { title: t("catchment"), sort: (r) => r.catchment, show: (r) => num(r.catchment, 1) },
    { title: t("district"), text: true, sort: (r) => r.district, show: (r) => esc(r.district || "") },
  ], rows);
  $("units").querySelectorAll("button[data-unit]").forEach((btn) => btn.addEventListener("click", () => showUnit(Number(btn.dataset.unit), true)));
}

// ---- unit panel and editing ---------------------------------------------------------
function closePanels() {
  $("unit-panel").hidden = true;
  $("open-panel").hidden = true;
  setPlacing(null);
}

function showUnit(i, focus) {
  const u = state.view.units[i];
  if (!u) { state.selected = null; $("unit-panel").hidden = true; return; }
  state.selected = i;
  $("open-panel").hidden = true;
  $("unit-title").textContent = `${unitName(u)} (${u.id})`;
  const facts = [
    [t("name"), u.name_fi], [t("name_sv"), u.name_sv || t("none")], [t("status_col"), t("st_" + u.status)],
    [t("places"), num(totalPlaces(u))], [t("placed"), num(u.placed, 1)], [t("utilisation"), pct(u.utilisation, 0)],
    [t("catchment"), num(u.catchment, 1)], [t("district"), u.district || t("none")],
    [t("cost_per_place"), u.cost_per_place_eur === null ? t("none") : num(u.cost_per_place_eur) + " €"],
    [t("repair_debt"), u.repair_debt_eur === null ? t("none") : num(u.repair_debt_eur) + " €"],
    [t("location"), `${num(u.x)}, ${num(u.y)} (EPSG:3067)`],
  ];
  $("unit-facts").innerHTML = facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join("");
  const langs = Array.from(new Set(["fi", "sv", "shared", ...Object.keys(u.places)]));
  $("unit-places").innerHTML = langs.map((l) => `<label>${esc(l === "shared" ? t("shared") : l)} <input type="number" min="0" step="1" data-lang="${l}" value="${u.places[l] || 0}"></label>`).join("");
  const closed = u.status === "closed";
  $("unit-close").disabled = closed;
  $("unit-move").disabled = closed;
  $("unit-form").querySelector("button[type=submit]").disabled = closed;
  $("unit-panel").hidden = false;
  map.setData(map.cellColours, state.view.units, i);
  if (focus) $("unit-panel").focus();
}

function setPlacing(mode) {
  state.placing = mode;
  map.placing = !!mode;
  $("map").classList.toggle("placing", !!mode);
  $("open-mode").setAttribute("aria-pressed", mode && mode.kind === "open" ? "true" : "false");
  const hint = $("mode-hint");
  if (!mode) { hint.hidden = true; return; }
  hint.textContent = mode.kind === "open" ? t("click_to_open") : t("click_to_move", { unit: mode.unit });
  hint.hidden = false;
}

let newUnits = 0;
function onPoint(x, y) {
  const mode = state.placing;
  setPlacing(null);
  if (!mode) return;
  const at = [Math.round(x), Math.round(y)];
  if (mode.kind === "move") {
    push({ change: { action: "move", unit: mode.unit, at, crs: 3067 } });
  } else {
    state.openAt = at;
    $("open-at").textContent = `${t("location")}: ${num(at[0])}, ${num(at[1])} (EPSG:3067)`;
    $("unit-panel").hidden = true;
    $("open-panel").hidden = false;
    $("open-name").value = $("open-name").value || `${t("open_title")} ${newUnits + 1}`;
    $("open-name").focus();
  }
}

function wire() {
  $("lang").addEventListener("change", () => { state.lang = $("lang").value; localStorage.setItem("pave-lang", state.lang); translate(); fillReferences(); render(); setStatus(...(state.status || [null])); });
  $("scenario").addEventListener("change", () => loadScenario(Number($("scenario").value)));
  $("reference").addEventListener("change", () => setReference(Number($("reference").value)));
  $("indicator").addEventListener("change", () => { state.indicator = $("indicator").value; renderMap(); });
  $("zoom-in").addEventListener("click", () => map.zoom(1.4));
  $("zoom-out").addEventListener("click", () => map.zoom(1 / 1.4));
  $("zoom-fit").addEventListener("click", () => map.fit());
  $("open-mode").addEventListener("click", () => setPlacing(state.placing ? null : { kind: "open" }));
  document.addEventListener("keydown", (e) => { if (e.key === "Escape") setPlacing(null); });
  $("params").addEventListener("submit", (e) => {
    e.preventDefault();
    const k = state.view.kpis;
    const wanted = {
      year: Number($("year").value), threshold_min: Number($("threshold").value),
      target_share: Number($("target").value) / 100, participation: Number($("participation").value) / 100,
      allocation: $("rule").value,
    };
    const now = { year: k.year, threshold_min: k.threshold_min, target_share: k.target_share, participation: k.provenance.parameters.participation, allocation: k.headline_rule };
    const changed = Object.keys(wanted).filter((key) => Math.abs(wanted[key] - now[key]) > 1e-9 || (typeof wanted[key] === "string" && wanted[key] !== now[key]));
    if (!changed.length) return;
    state.undone = [];
    for (const key of changed) state.steps.push({ key, value: wanted[key] });
    refresh();
  });
  $("undo").addEventListener("click", () => { if (state.steps.length) { state.undone.push(state.steps.pop()); refresh(); } });
  $("redo").addEventListener("click", () => { if (state.undone.length) { state.steps.push(state.undone.pop()); refresh(); } });
  $("reset").addEventListener("click", () => { state.undone = state.steps.reverse().concat(state.undone); state.steps = []; refresh(); });
  $("unit-close").addEventListener("click", () => { const u = state.view.units[state.selected]; push({ change: { action: "close", unit: u.id } }); });
  $("unit-move").addEventListener("click", () => { const u = state.view.units[state.selected]; setPlacing({ kind: "move", unit: u.id }); $("map").focus(); });
  $("unit-dismiss").addEventListener("click", () => { state.selected = null; closePanels(); map.setData(map.cellColours, state.view.units, null); });
  $("unit-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const u = state.view.units[state.selected];
    const places = {};
    $("unit-places").querySelectorAll("input").forEach((inp) => {
      const n = Number(inp.value);
      if ((u.places[inp.dataset.lang] || 0) !== n) places[inp.dataset.lang] = n;
    });
    if (Object.keys(places).length) push({ change: { action: "capacity", unit: u.id, places } });
  });
  $("open-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const places = {};
    for (const [l, id] of [["fi", "open-fi"], ["sv", "open-sv"], ["shared", "open-shared"]]) {
      const n = Number($(id).value);
      if (n > 0) places[l] = n;
    }
    newUnits++;
    const id = `NEW-${newUnits}`;
    $("open-panel").hidden = true;
    push({ change: { action: "open", unit: id, name: $("open-name").value, at: state.openAt, crs: 3067, places } });
    $("open-name").value = "";
  });
  $("open-cancel").addEventListener("click", () => { $("open-panel").hidden = true; });
  $("save").addEventListener("click", async () => {
    try {
      const res = await api(`/api/scenarios/${state.id}/toml`, edits());
      const name = (res.headers.get("Content-Disposition") || "").match(/filename="([^"]+)"/);
      const file = name ? name[1] : "scenario.toml";
      const a = document.createElement("a");
      a.href = URL.createObjectURL(await res.blob());
      a.download = file;
      document.body.appendChild(a); a.click(); a.remove();
      setStatus("saved", { file });
    } catch (err) { $("error").textContent = err.message; $("error").hidden = false; }
  });
  $("export").addEventListener("click", async () => {
    try {
      const out = await (await api(`/api/scenarios/${state.id}/export`, edits())).json();
      $("exported").innerHTML = `<li>${esc(t("exported"))}</li>` + out.files.map((f) => `<li><a href="${esc(f)}">${esc(f.split("/").pop())}</a></li>`).join("");
    } catch (err) { $("error").textContent = err.message; $("error").hidden = false; }
  });
}

const map = new MapView($("map"), $("tooltip"));
map.onUnit = (i) => showUnit(i, true);
map.onPoint = onPoint;
map.describeUnit = (i) => {
  const u = state.view.units[i];
  return `<strong>${esc(unitName(u))}</strong> (${esc(u.id)})<br>${esc(t("places"))} ${num(totalPlaces(u))}, ${esc(t("placed"))} ${num(u.placed, 1)}, ${esc(t("utilisation"))} ${pct(u.utilisation, 0)}<br>${esc(t("st_" + u.status))}`;
};
map.describeCell = (i) => {
  const c = state.view.cells[i], cell = state.map.cells[i], b = state.base.cells[i];
  if (!c.children) return `${esc(t("cell"))} ${esc(cell.id)}: ${esc(t("children"))} 0`;
  const unit = c.unit === null ? t("none") : `${unitName(state.view.units[c.unit])}`;
  const change = c.minutes !== null && b.minutes !== null ? ` (${signed(c.minutes - b.minutes, 1, " min")})` : "";
  return `${esc(t("cell"))} ${esc(cell.id)}<br>${esc(t("children"))} ${num(c.children, 1)}, ${esc(t("unserved"))} ${num(c.unserved, 1)}<br>` +
    `${esc(t("ind_minutes"))}: ${num(c.minutes, 1)} min${change}<br>${esc(t("served_by"))}: ${esc(unit)}<br>${esc(t("sfca"))}: ${num(c.sfca, 2)}`;
};
wire();
start().catch((err) => { $("error").textContent = err.message; $("error").hidden = false; });
