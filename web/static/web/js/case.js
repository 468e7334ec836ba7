// The case page: after a refused action the page comes back with that action's form open;
// bring it into view so the user sees the reason next to what they typed.
document.addEventListener("DOMContentLoaded", () => {
  const refused = document.querySelector(".hy-action-error");
  if (refused) {
    refused.scrollIntoView({ block: "start" });
    const invalid = refused.querySelector(".is-invalid");
    if (invalid && typeof invalid.focus === "function") invalid.focus({ preventScroll: true });
  }
});
