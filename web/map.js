// The map: a canvas in EPSG:3067 metres (the engine's own coordinates; no tiles needed).
// Layers from the bottom: an optional background map (tiles in the ETRS-TM35FIN matrix set of
// JHS 180), demand cells coloured by a class, streets, district borders, units. Pan by
// dragging or arrow keys, zoom with the wheel or +/−.
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

  // A background map: `url` a template with {z}, {x} (column), {y} (row); null for none.
  setTiles(url) {
    this.tiles = url ? { url, images: new Map() } : null;
    this.tilesOn = !!url;
    this.draw();
  }

  showTiles(on) { this.tilesOn = on; this.draw(); }

  // The tiles under the view at the level nearest the view's scale (JHS 180 ETRS-TM35FIN:
  // origin (-548576, 8388608), 256 px, 8192 m/px at level 0, halved per level, 0–15).
  paintTiles(ctx, w, h) {
    const T = this.tiles;
    if (!T || !this.tilesOn) return;
    const X0 = -548576, Y0 = 8388608;
    const z = Math.max(0, Math.min(15, Math.round(Math.log2(8192 * this.scale * this.dpr))));
    const span = 256 * 8192 / 2 ** z, count = 2 ** z;
    const [x0, y0] = this.toWorld(0, h), [x1, y1] = this.toWorld(w, 0);
    const c0 = Math.max(0, Math.floor((x0 - X0) / span)), c1 = Math.min(count - 1, Math.floor((x1 - X0) / span));
    const r0 = Math.max(0, Math.floor((Y0 - y1) / span)), r1 = Math.min(count - 1, Math.floor((Y0 - y0) / span));
    if ((c1 - c0 + 1) * (r1 - r0 + 1) > 400) return;
    if (T.images.size > 1000) T.images.clear();
    for (let r = r0; r <= r1; r++) {
      for (let c = c0; c <= c1; c++) {
        const key = `${z}/${c}/${r}`;
        let img = T.images.get(key);
        if (!img) {
          img = new Image();
          img.onload = () => this.draw();
          img.src = T.url.replaceAll("{z}", z).replaceAll("{x}", c).replaceAll("{y}", r);
          T.images.set(key, img);
        }
        if (img.complete && img.naturalWidth) {
          const [ax, ay] = this.toScreen(X0 + c * span, Y0 - r * span);
          const [bx, by] = this.toScreen(X0 + (c + 1) * span, Y0 - (r + 1) * span);
          ctx.drawImage(img, ax, ay, bx - ax, by - ay);
        }
      }
    }
  }

  resize() {
    const r = this.canvas.getBoundingClientRect();
    this.w = r.width; this.h = r.height;
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
    const [w, h] = this.size();
    this.cx = (x0 + x1) / 2; this.cy = (y0 + y1) / 2;
    this.scale = Math.min(w / Math.max(1, x1 - x0), h / Math.max(1, y1 - y0)) * 0.95;
    this.draw();
  }

  zoom(f) {
    const [w, h] = this.size();
    this.zoomAt(w / 2, h / 2, f);
  }

  zoomAt(px, py, f) {
    const [x, y] = this.toWorld(px, py);
    this.scale *= f;
    const [x2, y2] = this.toWorld(px, py);
    this.cx += x - x2; this.cy += y - y2;
    this.draw();
  }

  // The canvas size in CSS pixels, read once per resize (reading layout per point is slow).
  size() {
    if (!this.w) {
      const r = this.canvas.getBoundingClientRect();
      this.w = r.width; this.h = r.height;
    }
    return [this.w, this.h];
  }

  toScreen(x, y) {
    const [w, h] = this.size();
    return [(x - this.cx) * this.scale + w / 2, (this.cy - y) * this.scale + h / 2];
  }

  toWorld(px, py) {
    const [w, h] = this.size();
    return [(px - w / 2) / this.scale + this.cx, this.cy - (py - h / 2) / this.scale];
  }

  setData(cellColours, units, selected) {
    this.cellColours = cellColours;
    this.units = units;
    this.selected = selected;
    this.draw();
  }

  // Symbol radius by places, shrunk when zoomed out far (a whole city of units would
  // otherwise hide the cells): full size from 0.3 px per metre, at least 40 %.
  unitRadius(u) {
    const places = Object.values(u.places).reduce((a, b) => a + b, 0);
    const shrink = Math.min(1, Math.max(0.4, Math.sqrt(this.scale / 0.3)));
    return (4 + Math.sqrt(places) * 0.9) * shrink;
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
    const [w] = this.size();
    this.tooltip.style.left = Math.min(px + 14, w - 260) + "px";
    this.tooltip.style.top = (py + 14) + "px";
  }

  // Draws on the next frame (several changes in one task draw once).
  draw() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => { this.pending = false; this.paint(); });
  }

  // Streets and district borders change only with the view: drawn once per view into an
  // offscreen canvas and copied on every paint.
  linework(w, h) {
    const key = [this.scale, this.cx, this.cy, w, h, this.dpr].join(",");
    if (this.lineKey === key) return this.lines;
    const off = this.lines || document.createElement("canvas");
    off.width = Math.round(w * this.dpr);
    off.height = Math.round(h * this.dpr);
    const ctx = off.getContext("2d");
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    ctx.strokeStyle = "rgba(60,60,60,0.55)";
    ctx.lineWidth = Math.max(0.5, Math.min(1.6, this.scale * 2));
    ctx.beginPath();
    const [x0, y0] = this.toWorld(0, h), [x1, y1] = this.toWorld(w, 0);
    for (const line of this.base.streets) {
      // Skip streets wholly outside the view (their first and last points are).
      const n = line.length;
      if ((line[0] < x0 && line[n - 2] < x0) || (line[0] > x1 && line[n - 2] > x1) ||
          (line[1] < y0 && line[n - 1] < y0) || (line[1] > y1 && line[n - 1] > y1)) continue;
      this.path(ctx, line, false);
    }
    ctx.stroke();
    ctx.strokeStyle = "#1a1a1a";
    ctx.lineWidth = 2;
    ctx.setLineDash([6, 4]);
    ctx.beginPath();
    for (const seg of this.base.district_borders) this.path(ctx, seg, false);
    ctx.stroke();
    this.lines = off;
    this.lineKey = key;
    return off;
  }

  paint() {
    const started = performance.now();
    this.paintMs = undefined;
    this.paintStarted = started;
    const ctx = this.canvas.getContext("2d");
    if (!ctx || !this.dpr) return;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    const [w, h] = this.size();
    ctx.fillStyle = "#fafafa";
    ctx.fillRect(0, 0, w, h);
    if (!this.base) return;
    this.paintTiles(ctx, w, h);
    // Cells, by colour (see-through over a background map): grid squares as rectangles, other shapes as one path per colour.
    const byColour = new Map();
    this.base.cells.forEach((cell, i) => {
      const colour = this.cellColours[i];
      if (colour) {
        if (!byColour.has(colour)) byColour.set(colour, []);
        byColour.get(colour).push(cell);
      }
    });
    ctx.globalAlpha = this.tiles && this.tilesOn ? 0.6 : 1;
    for (const [colour, cells] of byColour) {
      ctx.fillStyle = colour;
      const shapes = new Path2D();
      let any = false;
      for (const cell of cells) {
        const box = rectangle(cell.ring);
        if (box) {
          const [ax, ay] = this.toScreen(box[0], box[3]), [bx, by] = this.toScreen(box[2], box[1]);
          ctx.fillRect(ax, ay, bx - ax, by - ay);
        } else {
          this.path(shapes, cell.ring, true);
          any = true;
        }
      }
      if (any) ctx.fill(shapes);
    }
    ctx.globalAlpha = 1;
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(this.linework(w, h), 0, 0);
    ctx.restore();
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
    this.paintMs = performance.now() - started;
  }

  path(ctx, flat, close) {
    for (let k = 0; k + 1 < flat.length; k += 2) {
      const [x, y] = this.toScreen(flat[k], flat[k + 1]);
      if (k === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
    }
    if (close) ctx.closePath();
  }
}

// [min x, min y, max x, max y] of an axis-aligned rectangular ring (grid cells), else null.
function rectangle(ring) {
  if (ring.length !== 10 || ring[0] !== ring[8] || ring[1] !== ring[9]) return null;
  for (let k = 0; k < 8; k += 2) {
    if (ring[k] !== ring[k + 2] && ring[k + 1] !== ring[k + 3]) return null;
  }
  return [Math.min(ring[0], ring[4]), Math.min(ring[1], ring[5]), Math.max(ring[0], ring[4]), Math.max(ring[1], ring[5])];
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
