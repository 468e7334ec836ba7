// 快速登记 (opinions/quick.py): Enter in the text saves the form, Shift+Enter makes a new line.
// Enter that confirms a Chinese input method's candidate (isComposing) is left alone. No
// inline script (Content-Security-Policy): the behaviour hangs on data-enter-submits.
(() => {
  "use strict";

  document.addEventListener("keydown", (event) => {
    const field = event.target;
    if (!(field instanceof HTMLTextAreaElement) || !field.dataset.enterSubmits) return;
    if (event.key !== "Enter" || event.shiftKey || event.isComposing || event.keyCode === 229) return;
    event.preventDefault();
    if (field.form) field.form.requestSubmit();
  });
})();
