/* Choropleth map: recolour by measure, tooltip, zoom and pan, keyboard access.
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
  var links = Array.prototype.slice.call(svg.querySelectorAll("a.la-link"));
  var legends = Array.prototype.slice.call(document.querySelectorAll("[data-legend]"));

  function fillClass(v, key) {
    if (key === "classification") { return "c-" + v.k; }
    return v.d ? "d" + v.d : "missing";
  }

  function valueText(v, key) {
    if (key === "classification") { return data.classLabels[v.k]; }
    return v.t;
  }

  function recolour() {
    var key = select.value;
    links.forEach(function (link) {
      var a = byCode[link.getAttribute("data-code")];
      var v = a.v[key];
      link.firstElementChild.setAttribute("class", "la " + fillClass(v, key));
      link.setAttribute("aria-label", a.n + ": " + valueText(v, key) +
        (v.d ? ", decile " + v.d : "") + ". Open profile.");
    });
    legends.forEach(function (l) {
      l.hidden = l.getAttribute("data-legend") !== (key === "classification" ? "class" : "decile");
    });
    desc.textContent = data.measures[key].description;
    svg.setAttribute("data-measure", key);
  }

  function line(text, tag) {
    var el = document.createElement(tag || "span");
    el.textContent = text;
    tip.appendChild(el);
  }

  function showTip(link, clientX, clientY) {
    var a = byCode[link.getAttribute("data-code")];
    var key = select.value;
    var v = a.v[key];
    while (tip.firstChild) { tip.removeChild(tip.firstChild); }
    line(a.n, "strong");
    line(data.measures[key].label + ": " + valueText(v, key));
    if (key !== "classification") {
      line(v.d ? "Decile " + v.d + " of 10" : "Decile not available");
    }
    tip.hidden = false;
    var box = wrap.getBoundingClientRect();
    var x = clientX - box.left + 14, y = clientY - box.top + 14;
    if (x + tip.offsetWidth > box.width) { x = Math.max(0, clientX - box.left - tip.offsetWidth - 14); }
    if (y + tip.offsetHeight > box.height) { y = Math.max(0, clientY - box.top - tip.offsetHeight - 14); }
    tip.style.left = x + "px";
    tip.style.top = y + "px";
  }

  function hideTip() { tip.hidden = true; }

  /* --- zoom and pan by changing the viewBox --- */
  var home = svg.getAttribute("data-viewbox").split(" ").map(Number);
  var view = home.slice();
  function apply() { svg.setAttribute("viewBox", view.join(" ")); }
  function zoomAt(factor, cx, cy) {
    var w = view[2] * factor, h = view[3] * factor;
    if (w > home[2] * 1.5 || w < home[2] / 40) { return; }
    view = [cx - (cx - view[0]) * factor, cy - (cy - view[1]) * factor, w, h];
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

  var drag = null, moved = false;
  svg.addEventListener("pointerdown", function (e) {
    if (e.button !== 0) { return; }
    drag = { x: e.clientX, y: e.clientY, view: view.slice() };
    moved = false;
  });
  window.addEventListener("pointermove", function (e) {
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
  window.addEventListener("pointerup", function () {
    drag = null;
    svg.classList.remove("dragging");
  });
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
  svg.addEventListener("keydown", function (e) {
    var step = 0.1;
    var keys = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    if (keys[e.key]) { e.preventDefault(); pan(keys[e.key][0], keys[e.key][1]); }
    else if (e.key === "+" || e.key === "=") { var c = centre(); zoomAt(0.66, c[0], c[1]); }
    else if (e.key === "-") { var d = centre(); zoomAt(1.5, d[0], d[1]); }
    else if (e.key === "Escape") { hideTip(); }
  });

  links.forEach(function (link) {
    link.addEventListener("mousemove", function (e) { if (!drag) { showTip(link, e.clientX, e.clientY); } });
    link.addEventListener("mouseleave", hideTip);
    link.addEventListener("focus", function () {
      var r = link.getBoundingClientRect();
      showTip(link, r.left + r.width / 2, r.top + r.height / 2);
    });
    link.addEventListener("blur", hideTip);
  });

  select.addEventListener("change", recolour);
  recolour();
  /* time from navigation start to an interactive map, read by the browser tests */
  document.documentElement.setAttribute("data-ready-ms", String(Math.round(performance.now())));
  document.documentElement.setAttribute("data-ready", "1");
}());
