// 工作日历: clicking a day fills the day form beside the year instead of reloading the page.
(function () {
  "use strict";
  var form = document.querySelector("[data-day-form]");
  if (!form) return;
  var dayInput = form.querySelector("input[name=day]");
  var status = form.querySelector("[data-day-status]");
  var remove = form.querySelector("[data-remove]");
  var note = form.querySelector("input[name=note]");

  function select(link) {
    document.querySelectorAll(".hy-day-selected").forEach(function (cell) {
      cell.classList.remove("hy-day-selected");
    });
    link.closest("td").classList.add("hy-day-selected");
    dayInput.value = link.dataset.day;
    var workday = link.dataset.workday === "1";
    var overridden = link.dataset.overridden === "1";
    // A day already adjusted shows its adjustment; any other day offers the opposite of
    // what it is now, which is what a click on it usually wants.
    var kind = workday === overridden ? "workday" : "holiday";
    var wanted = form.querySelector("input[name=kind][value=" + kind + "]");
    if (wanted) wanted.checked = true;
    note.value = link.dataset.note || "";
    remove.classList.toggle("d-none", !overridden);
    status.textContent = link.dataset.status;
    form.querySelectorAll(".is-invalid").forEach(function (el) { el.classList.remove("is-invalid"); });
    form.querySelectorAll(".invalid-feedback, .hy-form-errors").forEach(function (el) { el.remove(); });
    if (window.matchMedia("(max-width: 1199.98px)").matches) {
      form.scrollIntoView({ behavior: "smooth", block: "start" });
    }
    if (wanted) wanted.focus({ preventScroll: true });
  }

  document.querySelectorAll(".hy-year-editable a.hy-day-inner").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      select(link);
      history.replaceState(null, "", "?day=" + link.dataset.day + "#day-form");
    });
  });
})();
