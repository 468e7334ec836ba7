// The page of a just-issued proposer link: 打印 and 复制链接 (no inline handlers: the CSP).
// The address is read as text (textContent) and written to the clipboard as text.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  var status = document.getElementById("copy-status");
  function say(text) { if (status) status.textContent = text; }
  function selectText(node) {
    var range = document.createRange();
    range.selectNodeContents(node);
    var selection = window.getSelection();
    if (selection) { selection.removeAllRanges(); selection.addRange(range); }
  }
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var source = document.getElementById(button.getAttribute("data-copy") || "");
      if (!source) return;
      var text = (source.textContent || "").trim();
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(
          function () { say("已复制"); },
          function () { selectText(source); say("请按 Ctrl+C 复制已选中的链接"); }
        );
      } else {
        selectText(source);
        say("请按 Ctrl+C 复制已选中的链接");
      }
    });
  });
})();
