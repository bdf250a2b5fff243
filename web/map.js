// The map: a canvas in EPSG:3067 metres (the engine's own coordinates; no tiles needed).
// Layers from the bottom: demand cells coloured by a class, streets, district borders,
// units. Pan by dragging or arrow keys, zoom with the wheel or +/−.
"use strict";

class MapView {
  constructor(canvas, tooltip) {
    this.canvas = canvas;
    this.tooltip = tooltip;
    this.base = null;
    this.cellColours = [];
    this.units = [];
    this.selected = null;
    this.scale = 1;
    this.cx = 0;
    this.cy = 0;
    this.onUnit = () => {};
    this.onPoint = () => {};
    this.describeCell = () => "";
    this.describeUnit = () => "";
    this.placing = false;
    const c = canvas;
    let drag = null;
    c.addEventListener("mousedown", (e) => { drag = { x: e.offsetX, y: e.offsetY, moved: false }; });
    c.addEventListener("mousemove", (e) => {
      if (drag) {
        const dx = e.offsetX - drag.x, dy = e.offsetY - drag.y;
        if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
        if (drag.moved) {
          this.cx -= dx / this.scale; this.cy += dy / this.scale;
          drag.x = e.offsetX; drag.y = e.offsetY;
          this.draw();
        }
      } else {
        this.hover(e.offsetX, e.offsetY);
      }
    });
    window.addEventListener("mouseup", (e) => {
      if (drag && !drag.moved && e.target === c) this.click(e.offsetX, e.offsetY);
      drag = null;
    });
    c.addEventListener("mouseleave", () => { this.tooltip.hidden = true; });
    c.addEventListener("wheel", (e) => {
      e.preventDefault();
      this.zoomAt(e.offsetX, e.offsetY, e.deltaY < 0 ? 1.25 : 0.8);
    }, { passive: false });
    c.addEventListener("keydown", (e) => {
      const step = 80 / this.scale;
      const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
      if (moves[e.key]) {
        this.cx += moves[e.key][0]; this.cy += moves[e.key][1];
        e.preventDefault(); this.draw();
      } else if (e.key === "+" || e.key === "=") { this.zoom(1.25); e.preventDefault(); }
      else if (e.key === "-") { this.zoom(0.8); e.preventDefault(); }
    });
    new ResizeObserver(() => this.resize()).observe(c);
  }

  resize() {
    const r = this.canvas.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.max(1, Math.round(r.width * dpr));
    this.canvas.height = Math.max(1, Math.round(r.height * dpr));
    this.dpr = dpr;
    this.draw();
  }

  setBase(base, extent) {
    this.base = base;
    this.extent = extent || base.extent;
    this.fit();
  }

  fit() {
    if (!this.base) return;
    const [x0, y0, x1, y1] = this.extent;
    const r = this.canvas.getBoundingClientRect();
    this.cx = (x0 + x1) / 2; this.cy = (y0 + y1) / 2;
    this.scale = Math.min(r.width / Math.max(1, x1 - x0), r.height / Math.max(1, y1 - y0)) * 0.95;
    this.draw();
  }

  zoom(f) {
    const r = this.canvas.getBoundingClientRect();
    this.zoomAt(r.width / 2, r.height / 2, f);
  }

  zoomAt(px, py, f) {
    const [x, y] = this.toWorld(px, py);
    this.scale *= f;
    const [x2, y2] = this.toWorld(px, py);
    this.cx += x - x2; this.cy += y - y2;
    this.draw();
  }

  toScreen(x, y) {
    const r = this.canvas.getBoundingClientRect();
    return [(x - this.cx) * this.scale + r.width / 2, (this.cy - y) * this.scale + r.height / 2];
  }

  toWorld(px, py) {
    const r = this.canvas.getBoundingClientRect();
    return [(px - r.width / 2) / this.scale + this.cx, this.cy - (py - r.height / 2) / this.scale];
  }

  setData(cellColours, units, selected) {
    this.cellColours = cellColours;
    this.units = units;
    this.selected = selected;
    this.draw();
  }

  unitRadius(u) {
    const places = Object.values(u.places).reduce((a, b) => a + b, 0);
    return 4 + Math.sqrt(places) * 0.9;
  }

  unitAt(px, py) {
    let best = null, bestD = Infinity;
    this.units.forEach((u, i) => {
      const [sx, sy] = this.toScreen(u.x, u.y);
      const d = Math.hypot(sx - px, sy - py);
      if (d <= this.unitRadius(u) + 3 && d < bestD) { best = i; bestD = d; }
    });
    return best;
  }

  cellAt(px, py) {
    if (!this.base) return null;
    const [x, y] = this.toWorld(px, py);
    const cells = this.base.cells;
    for (let i = 0; i < cells.length; i++) {
      if (inside(cells[i].ring, x, y)) return i;
    }
    return null;
  }

  click(px, py) {
    if (this.placing) { this.onPoint(...this.toWorld(px, py)); return; }
    const u = this.unitAt(px, py);
    if (u !== null) this.onUnit(u);
  }

  hover(px, py) {
    const u = this.unitAt(px, py);
    let text = "";
    if (u !== null) text = this.describeUnit(u);
    else {
      const c = this.cellAt(px, py);
      if (c !== null) text = this.describeCell(c);
    }
    if (!text) { this.tooltip.hidden = true; return; }
    this.tooltip.innerHTML = text;
    this.tooltip.hidden = false;
    const w = this.canvas.getBoundingClientRect().width;
    this.tooltip.style.left = Math.min(px + 14, w - 260) + "px";
    this.tooltip.style.top = (py + 14) + "px";
  }

  draw() {
    const ctx = this.canvas.getContext("2d");
    if (!ctx || !this.dpr) return;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    const r = this.canvas.getBoundingClientRect();
    ctx.fillStyle = "#fafafa";
    ctx.fillRect(0, 0, r.width, r.height);
    if (!this.base) return;
    const b = this.base;
    // Cells.
    b.cells.forEach((cell, i) => {
      const colour = this.cellColours[i];
      if (!colour) return;
      ctx.beginPath();
      this.path(ctx, cell.ring, true);
      ctx.fillStyle = colour;
      ctx.fill();
    });
    // Streets.
    ctx.strokeStyle = "rgba(60,60,60,0.55)";
    ctx.lineWidth = Math.max(0.5, Math.min(1.6, this.scale * 2));
    ctx.beginPath();
    for (const line of b.streets) this.path(ctx, line, false);
    ctx.stroke();
    // District borders.
    ctx.strokeStyle = "#1a1a1a";
    ctx.lineWidth = 2;
    ctx.setLineDash([6, 4]);
    ctx.beginPath();
    for (const s of b.district_borders) this.path(ctx, s, false);
    ctx.stroke();
    ctx.setLineDash([]);
    // Units.
    this.units.forEach((u, i) => {
      const [x, y] = this.toScreen(u.x, u.y);
      const rad = this.unitRadius(u);
      ctx.beginPath();
      ctx.arc(x, y, rad, 0, 2 * Math.PI);
      if (u.status === "closed") {
        ctx.fillStyle = "rgba(255,255,255,0.8)";
        ctx.fill();
        ctx.strokeStyle = "#666";
        ctx.lineWidth = 2;
        ctx.stroke();
        ctx.beginPath();
        ctx.moveTo(x - rad * 0.6, y - rad * 0.6); ctx.lineTo(x + rad * 0.6, y + rad * 0.6);
        ctx.moveTo(x + rad * 0.6, y - rad * 0.6); ctx.lineTo(x - rad * 0.6, y + rad * 0.6);
        ctx.stroke();
      } else {
        ctx.fillStyle = useColour(u.utilisation);
        ctx.fill();
        ctx.strokeStyle = "#000";
        ctx.lineWidth = u.status === "kept" ? 1.5 : 3;
        ctx.stroke();
      }
      if (i === this.selected) {
        ctx.beginPath();
        ctx.arc(x, y, rad + 5, 0, 2 * Math.PI);
        ctx.strokeStyle = "#0072c6";
        ctx.lineWidth = 3;
        ctx.stroke();
      }
    });
  }

  path(ctx, flat, close) {
    for (let k = 0; k + 1 < flat.length; k += 2) {
      const [x, y] = this.toScreen(flat[k], flat[k + 1]);
      if (k === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
    }
    if (close) ctx.closePath();
  }
}

function inside(ring, x, y) {
  let c = false;
  for (let i = 0, j = ring.length - 2; i < ring.length; j = i, i += 2) {
    const xi = ring[i], yi = ring[i + 1], xj = ring[j], yj = ring[j + 1];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) c = !c;
  }
  return c;
}

// Unit fill by use: under-used light blue, normal green, over-used red.
const USE_LOW = 0.85, USE_HIGH = 1.0;
function useColour(u) {
  if (u === null || u === undefined) return "#bbbbbb";
  if (u < USE_LOW) return "#9fc9eb";
  if (u > USE_HIGH + 1e-9) return "#d0264f";
  return "#00a28c";
}
