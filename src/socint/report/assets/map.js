/* Choropleth map: recolour by measure, legend with value ranges, uncertainty view, selection
   (marker, preview, zoom to area), tooltip, zoom/pan/pinch, London inset, keyboard access.
   Plain JavaScript, no libraries; area names and values are only ever set as text. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("map-data").textContent);
  var byCode = {};
  data.areas.forEach(function (a) { byCode[a.c] = a; });
  var svg = document.getElementById("map");
  var wrap = document.getElementById("map-wrap");
  var select = document.getElementById("measure");
  var tip = document.getElementById("tooltip");
  var desc = document.getElementById("measure-desc");
  var unc = document.getElementById("uncertainty");
  var uncControl = document.getElementById("uncertainty-control");
  var uncNote = document.getElementById("uncertainty-note");
  var zoomSel = document.getElementById("zoom-selected");
  var preview = document.getElementById("preview");
  var links = Array.prototype.slice.call(document.querySelectorAll("a.la-link"));
  var mainPath = {};
  Array.prototype.forEach.call(svg.querySelectorAll("a.la-link"), function (l) {
    mainPath[l.getAttribute("data-code")] = l.firstElementChild;
  });
  var legendValues = document.getElementById("legend-values");
  var legends = Array.prototype.slice.call(document.querySelectorAll("[data-legend]"));
  var selected = null, tipLink = null, tipXY = null, lastPointer = "mouse";

  function fillClass(v, key) {
    if (key === "classification") { return "c-" + v.k; }
    return v.d ? data.measures[key].prefix + v.d : "missing";
  }
  function valueText(v, key) {
    if (key === "classification") { return data.classLabels[v.k]; }
    return v.t;
  }
  function classKey(v, key) { return key === "classification" ? v.k : String(v.d); }

  function renderLegend(key) {
    var m = data.measures[key];
    if (!m.legend || !m.legend.length) { return; }
    var items = legendValues.querySelectorAll("li[data-class]");
    m.legend.forEach(function (c, i) {
      var li = items[i];
      if (!li) { return; }
      li.setAttribute("data-class", String(c.d));
      li.querySelector(".swatch").setAttribute("class", "swatch " + m.prefix + c.d);
      li.querySelector(".legend-text").textContent = c.text;
    });
  }

  function markLegend(key) {
    legends.forEach(function (l) {
      Array.prototype.forEach.call(l.querySelectorAll("li[data-class]"), function (li) {
        li.classList.remove("current");
        li.querySelector(".legend-mark").textContent = "";
      });
    });
    if (!selected) { return; }
    var a = byCode[selected];
    var ck = classKey(a.v[key], key);
    var li = document.querySelector("[data-legend]:not([hidden]) li[data-class='" + ck + "']");
    if (li) {
      li.classList.add("current");
      li.querySelector(".legend-mark").textContent = " ◀ " + a.n;
    }
  }

  function recolour() {
    var key = select.value;
    var m = data.measures[key];
    var canFade = !!m.uncertain;
    uncControl.hidden = !canFade;
    var fade = canFade && unc.checked, faded = 0;
    links.forEach(function (link) {
      var code = link.getAttribute("data-code");
      var a = byCode[code];
      var v = a.v[key];
      var cls = "la " + fillClass(v, key);
      if (fade && v.u) { cls += " faded"; faded += 1; }
      if (code === selected) { cls += " selected"; }
      link.firstElementChild.setAttribute("class", cls);
      link.setAttribute("aria-label", a.n + ": " + valueText(v, key) +
        (v.d && key !== "change" ? ", decile " + v.d : "") + (a.f ? ". " + a.f : "") +
        ". Open profile.");
    });
    legends.forEach(function (l) {
      l.hidden = l.getAttribute("data-legend") !== (key === "classification" ? "class" : "decile");
    });
    renderLegend(key);
    markLegend(key);
    svg.setAttribute("data-faded", "0");
    uncNote.hidden = !fade;
    if (fade) {
      var n = data.areas.filter(function (a) { return a.v[key].u; }).length;
      uncNote.textContent = n + " of " + data.areas.length + " areas faded: their class is uncertain.";
      svg.setAttribute("data-faded", String(n));
    }
    desc.textContent = m.description;
    svg.setAttribute("data-measure", key);
    if (tipLink && !tip.hidden) { showTip(tipLink, tipXY[0], tipXY[1]); }
    if (selected) { showPreview(selected); }
  }

  function line(text, tag, cls) {
    var el = document.createElement(tag || "span");
    el.textContent = text;
    if (cls) { el.className = cls; }
    tip.appendChild(el);
  }

  function showTip(link, clientX, clientY) {
    var a = byCode[link.getAttribute("data-code")];
    var key = select.value;
    var v = a.v[key];
    tipLink = link; tipXY = [clientX, clientY];
    while (tip.firstChild) { tip.removeChild(tip.firstChild); }
    line(a.n, "strong");
    line(data.measures[key].label + ": " + valueText(v, key));
    if (key !== "classification" && key !== "change") {
      line(v.d ? "Decile " + v.d + " of 10" : "Decile not available");
    }
    if (v.s) { line("90% interval spans " + v.s + (v.s === 1 ? " class" : " classes")); }
    if (a.f) { line(a.f, "span", "flag"); }
    tip.hidden = false;
    var box = wrap.getBoundingClientRect();
    var x = clientX - box.left + 14, y = clientY - box.top + 14;
    if (x + tip.offsetWidth > box.width) { x = Math.max(0, clientX - box.left - tip.offsetWidth - 14); }
    if (y + tip.offsetHeight > box.height) { y = Math.max(0, clientY - box.top - tip.offsetHeight - 14); }
    tip.style.left = x + "px";
    tip.style.top = y + "px";
  }
  function hideTip() { tip.hidden = true; tipLink = null; }

  function showPreview(code) {
    var a = byCode[code], key = select.value;
    document.getElementById("preview-name").textContent = a.n;
    document.getElementById("preview-value").textContent =
      data.measures[key].label + ": " + valueText(a.v[key], key);
    var flag = document.getElementById("preview-flag");
    flag.hidden = !a.f;
    flag.textContent = a.f || "";
    var link = document.getElementById("preview-link");
    var src = document.querySelector("a.la-link[data-code='" + code + "']");
    link.setAttribute("href", src.getAttribute("href"));
    link.textContent = "Open the profile of " + a.n;
    preview.hidden = false;
  }

  function selectArea(code, zoom) {
    if (!byCode[code]) { return; }
    selected = code;
    zoomSel.disabled = false;
    document.documentElement.setAttribute("data-selected", code);
    recolour();
    if (zoom) { zoomTo(code); }
  }

  /* --- zoom and pan by changing the viewBox --- */
  var home = svg.getAttribute("data-viewbox").split(" ").map(Number);
  var view = home.slice();
  function apply() { svg.setAttribute("viewBox", view.join(" ")); }
  function zoomAt(factor, cx, cy) {
    var w = view[2] * factor, h = view[3] * factor;
    if (w > home[2] * 1.5 || w < home[2] / 60) { return; }
    view = [cx - (cx - view[0]) * factor, cy - (cy - view[1]) * factor, w, h];
    apply();
  }
  function zoomTo(code) {
    var p = mainPath[code];
    if (!p) { return; }
    var bb = p.getBBox();
    var aspect = home[3] / home[2];
    var w = Math.max(bb.width * 3, bb.height * 3 / aspect, home[2] / 60);
    w = Math.min(w, home[2]);
    var h = w * aspect;
    view = [bb.x + bb.width / 2 - w / 2, bb.y + bb.height / 2 - h / 2, w, h];
    apply();
  }
  function toMap(clientX, clientY) {
    var r = svg.getBoundingClientRect();
    return [view[0] + (clientX - r.left) / r.width * view[2],
            view[1] + (clientY - r.top) / r.height * view[3]];
  }
  function centre() { return [view[0] + view[2] / 2, view[1] + view[3] / 2]; }
  function pan(dx, dy) { view[0] += dx * view[2]; view[1] += dy * view[3]; apply(); }

  svg.addEventListener("wheel", function (e) {
    e.preventDefault();
    var p = toMap(e.clientX, e.clientY);
    zoomAt(e.deltaY < 0 ? 0.8 : 1.25, p[0], p[1]);
  }, { passive: false });

  /* one pointer drags; two pointers pinch-zoom around their midpoint */
  var pointers = {}, drag = null, moved = false, pinch = null;
  function pointerList() { return Object.keys(pointers).map(function (k) { return pointers[k]; }); }
  function spread(ps) { return Math.hypot(ps[0].x - ps[1].x, ps[0].y - ps[1].y); }
  document.addEventListener("pointerdown", function (e) { lastPointer = e.pointerType || "mouse"; }, true);
  svg.addEventListener("pointerdown", function (e) {
    if (e.pointerType === "mouse" && e.button !== 0) { return; }
    pointers[e.pointerId] = { x: e.clientX, y: e.clientY };
    var ps = pointerList();
    if (ps.length === 2) { pinch = { d: spread(ps) }; drag = null; moved = true; }
    else { drag = { x: e.clientX, y: e.clientY, view: view.slice() }; moved = false; }
  });
  window.addEventListener("pointermove", function (e) {
    if (pointers[e.pointerId]) { pointers[e.pointerId] = { x: e.clientX, y: e.clientY }; }
    var ps = pointerList();
    if (pinch && ps.length === 2) {
      var d = spread(ps);
      if (d > 0 && pinch.d > 0) {
        var mid = toMap((ps[0].x + ps[1].x) / 2, (ps[0].y + ps[1].y) / 2);
        zoomAt(pinch.d / d, mid[0], mid[1]);
      }
      pinch.d = d;
      return;
    }
    if (!drag) { return; }
    var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
    if (!moved && Math.abs(dx) + Math.abs(dy) < 5) { return; }
    moved = true;
    svg.classList.add("dragging");
    hideTip();
    var r = svg.getBoundingClientRect();
    view[0] = drag.view[0] - dx / r.width * view[2];
    view[1] = drag.view[1] - dy / r.height * view[3];
    apply();
  });
  function release(e) {
    delete pointers[e.pointerId];
    if (pointerList().length < 2) { pinch = null; }
    if (pointerList().length === 0) { drag = null; svg.classList.remove("dragging"); }
  }
  window.addEventListener("pointerup", release);
  window.addEventListener("pointercancel", release);
  /* a drag must not also open the profile under the pointer */
  svg.addEventListener("click", function (e) {
    if (moved) { e.preventDefault(); e.stopPropagation(); moved = false; }
  }, true);

  document.getElementById("zoom-in").addEventListener("click", function () {
    var c = centre(); zoomAt(0.66, c[0], c[1]);
  });
  document.getElementById("zoom-out").addEventListener("click", function () {
    var c = centre(); zoomAt(1.5, c[0], c[1]);
  });
  document.getElementById("zoom-reset").addEventListener("click", function () {
    view = home.slice(); apply();
  });
  zoomSel.addEventListener("click", function () { if (selected) { zoomTo(selected); } });
  svg.addEventListener("keydown", function (e) {
    var step = 0.1;
    var keys = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    if (keys[e.key]) { e.preventDefault(); pan(keys[e.key][0], keys[e.key][1]); }
    else if (e.key === "+" || e.key === "=") { var c = centre(); zoomAt(0.66, c[0], c[1]); }
    else if (e.key === "-") { var d = centre(); zoomAt(1.5, d[0], d[1]); }
    else if (e.key === "Escape") { hideTip(); }
  });

  links.forEach(function (link) {
    var code = link.getAttribute("data-code");
    link.addEventListener("mousemove", function (e) { if (!drag || !moved) { showTip(link, e.clientX, e.clientY); } });
    link.addEventListener("mouseleave", hideTip);
    link.addEventListener("focus", function () {
      var r = link.getBoundingClientRect();
      showTip(link, r.left + r.width / 2, r.top + r.height / 2);
    });
    link.addEventListener("blur", hideTip);
    /* touch: the first tap previews the area, a second tap on it opens the profile */
    link.addEventListener("click", function (e) {
      if (lastPointer === "touch" && selected !== code) {
        e.preventDefault();
        selectArea(code, false);
        var r = link.getBoundingClientRect();
        showTip(link, r.left + r.width / 2, r.top + r.height / 2);
      }
    });
  });

  if (select.tagName === "SELECT") { select.addEventListener("change", recolour); }
  unc.addEventListener("change", recolour);
  recolour();
  var wanted = decodeURIComponent((location.hash || "").slice(1));
  if (byCode[wanted]) { selectArea(wanted, true); }
  window.addEventListener("hashchange", function () {
    var c = decodeURIComponent((location.hash || "").slice(1));
    if (byCode[c]) { selectArea(c, true); }
  });
  /* time from navigation start to an interactive map, read by the browser tests */
  document.documentElement.setAttribute("data-ready-ms", String(Math.round(performance.now())));
  document.documentElement.setAttribute("data-ready", "1");
}());
