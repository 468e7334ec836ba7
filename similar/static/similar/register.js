// The register page's panel of similar cases (#register-similar, an htmx POST): it sends
// only what the similarity index reads, the title and the content's first characters
// (data-content-chars: similar.index.CONTENT_CHARS), never the whole text of a proposal.
"use strict";
(function () {
  document.addEventListener("htmx:configRequest", (event) => {
    const panel = event.target;
    if (!(panel instanceof HTMLElement) || panel.id !== "register-similar") return;
    const limit = Number(panel.dataset.contentChars) || 120;
    const params = event.detail.parameters;
    const content = params.get("content");
    if (typeof content === "string" && content.length > limit) {
      params.set("content", Array.from(content).slice(0, limit).join(""));
    }
  });
})();
