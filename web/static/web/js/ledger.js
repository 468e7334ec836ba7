// The ledger's filter form: leave the empty fields out of the URL, so that a bookmarked or
// shared list reads ?state=handling&unit=yizheng rather than a row of empty parameters.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("case-filter");
  if (!form) return;
  form.addEventListener("submit", () => {
    for (const field of form.querySelectorAll("input[name], select[name]")) {
      if (field.value === "") field.disabled = true;
    }
    // Back on the page through the browser's history, the fields must work again.
    setTimeout(() => form.querySelectorAll(":disabled").forEach((f) => (f.disabled = false)), 0);
  });
});
