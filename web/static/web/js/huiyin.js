// Every page: behaviour that would otherwise be an inline handler (the Content-Security-Policy
// allows no inline script). A form with data-confirm asks before it is sent; the question is
// read from the attribute as text, never parsed as HTML or script.
(() => {
  "use strict";

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.confirm) return;
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
})();
