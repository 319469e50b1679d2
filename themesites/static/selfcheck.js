// The budget self-check: computes on this device only; nothing is sent or stored.
(function () {
  "use strict";
  var form = document.getElementById("zelf-check");
  var outcome = document.getElementById("uitkomst");
  var nojs = document.getElementById("zonder-javascript");
  if (!form || !outcome) { return; }
  form.hidden = false;
  if (nojs) { nojs.hidden = true; }

  function amount(input) {
    // A number field's value always uses a decimal point, whatever the page language.
    var value = parseFloat(input.value || "0");
    return isFinite(value) && value > 0 ? value : 0;
  }

  function euros(value) {
    return "€ " + Math.round(value).toLocaleString("nl-NL");
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var income = amount(document.getElementById("inkomen"));
    var costs = 0;
    Array.prototype.forEach.call(form.querySelectorAll("input.cost"), function (input) {
      costs += amount(input);
    });
    var left = income - costs;
    var share = income > 0 ? Math.min(left / income, 0.9999) : (costs > 0 ? -100 : 0);
    share = Math.max(share, -100);
    var chosen = null;
    Array.prototype.forEach.call(document.querySelectorAll("template.advice"), function (t) {
      var min = parseFloat(t.getAttribute("data-min"));
      var max = parseFloat(t.getAttribute("data-max"));
      if (chosen === null && share >= min && share < max) { chosen = t; }
    });
    outcome.textContent = "";
    var summary = document.createElement("p");
    summary.textContent = "Inkomen " + euros(income) + ", vaste lasten " + euros(costs) +
      (left < 0 ? ". Tekort per maand: " + euros(-left) : ". Over per maand: " + euros(left)) + ".";
    outcome.appendChild(summary);
    if (chosen) {
      outcome.setAttribute("data-level", chosen.getAttribute("data-level"));
      outcome.appendChild(chosen.content.cloneNode(true));
    }
    outcome.focus();
  });
}());
