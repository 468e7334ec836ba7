// The proposer's page (portal): the note of a communication record is asked for only when
// the proposer says it is not right. Everything works without it.
(function () {
  "use strict";
  document.querySelectorAll("form").forEach(function (form) {
    var note = form.querySelector("textarea[name=note]");
    var radios = form.querySelectorAll("input[name=check]");
    if (!note || !radios.length) return;
    var field = note.closest(".yj-field");
    function update() {
      var chosen = form.querySelector("input[name=check]:checked");
      if (field) field.hidden = !(chosen && chosen.value === "corrected") && !note.value;
    }
    radios.forEach(function (r) { r.addEventListener("change", update); });
    update();
  });
})();
