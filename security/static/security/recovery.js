// The recovery codes page: the print button (no inline handlers under the CSP).
document.addEventListener("DOMContentLoaded", function () {
  var button = document.getElementById("hy-print-codes");
  if (button) {
    button.addEventListener("click", function () { window.print(); });
  }
});
