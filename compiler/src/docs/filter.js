// Progressive enhancement: the page lists every event without this script; it only reveals the
// filter form and hides events that do not match it.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) { return; }
  var events = Array.prototype.slice.call(document.querySelectorAll("article.event"));
  var sections = Array.prototype.slice.call(document.querySelectorAll("section.namespace"));
  var links = Array.prototype.slice.call(document.querySelectorAll("ul.toc a"));
  var status = document.getElementById("filter-status");
  function apply() {
    var ns = form.elements.namespace.value;
    var cls = form.elements["class"].value;
    var consent = form.elements.consent.value;
    var words = form.elements.q.value.trim().toLowerCase();
    var shown = 0;
    events.forEach(function (e) {
      var match = (!ns || e.getAttribute("data-namespace") === ns) &&
        (!consent || e.getAttribute("data-consent") === consent) &&
        (!cls || e.getAttribute("data-classes").split(" ").indexOf(cls) >= 0) &&
        (!words || e.textContent.toLowerCase().indexOf(words) >= 0);
      e.hidden = !match;
      if (match) { shown += 1; }
    });
    links.forEach(function (a) {
      var target = document.getElementById(a.getAttribute("href").slice(1));
      a.parentNode.hidden = !target || target.hidden;
    });
    sections.forEach(function (s) {
      s.hidden = !s.querySelector("article.event:not([hidden])");
    });
    status.textContent = "Showing " + shown + " of " + events.length + " events.";
  }
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (ev) { ev.preventDefault(); });
  form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
  form.hidden = false;
  apply();
}());
