// 群众意见建议, the public page: a character counter for the text and the copy buttons on
// the receipt. Everything works without it; no data goes through innerHTML.
(function () {
  "use strict";

  function counter(node) {
    var field = document.getElementById(node.getAttribute("data-counter-for"));
    var max = parseInt(node.getAttribute("data-max"), 10);
    if (!field || !max) return;
    function update() {
      var used = Array.from(field.value).length;
      node.textContent = "已输入 " + used + " / " + max + " 字";
      node.classList.toggle("yj-over", used > max);
    }
    field.addEventListener("input", update);
    update();
  }

  function copy(button) {
    var target = document.getElementById(button.getAttribute("data-copy-target"));
    var status = document.getElementById(button.getAttribute("data-copy-status"));
    if (!target) return;
    button.addEventListener("click", function () {
      var text = target.textContent.trim();
      function said(message) {
        if (status) status.textContent = message;
      }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(
          function () { said("已复制，请粘贴保存"); },
          function () { said("无法自动复制，请长按选择后复制"); }
        );
      } else {
        var range = document.createRange();
        range.selectNodeContents(target);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        var done = false;
        try { done = document.execCommand("copy"); } catch (e) { done = false; }
        said(done ? "已复制，请粘贴保存" : "已选中，请长按复制");
      }
    });
  }

  document.querySelectorAll("[data-counter-for]").forEach(counter);
  document.querySelectorAll("[data-copy-target]").forEach(copy);
  var errors = document.getElementById("yj-errors");
  if (errors) errors.focus();
})();
