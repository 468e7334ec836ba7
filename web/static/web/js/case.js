// The case page: open the action card the URL names (#action-<name>), bring a refused form
// into view, and the small helpers of the action forms (unit pickers, the handler list,
// commitment rows, the review gates).
(() => {
  "use strict";

  function openCard(hash) {
    if (!hash || !hash.startsWith("#action-")) return;
    const item = document.getElementById(hash.slice(1));
    const body = item && item.querySelector(".accordion-collapse");
    if (!body || typeof bootstrap === "undefined") return;
    if (!body.classList.contains("show")) bootstrap.Collapse.getOrCreateInstance(body).show();
    item.scrollIntoView({ block: "start" });
  }

  // Unit pickers: filter the list by name; count the ticked co-units.
  function setUpPicker(picker) {
    const search = picker.querySelector("[data-picker-search]");
    const items = [...picker.querySelectorAll("[data-picker-item]")];
    const groups = [...picker.querySelectorAll("[data-picker-group]")];
    const empty = picker.querySelector("[data-picker-empty]");
    const count = picker.querySelector("[data-picker-count]");
    const refreshCount = () => {
      if (!count) return;
      const n = picker.querySelectorAll("input[type=checkbox]:checked").length;
      count.textContent = n ? `已选 ${n} 个` : "";
    };
    if (search) {
      search.addEventListener("input", () => {
        const words = search.value.trim().toLowerCase();
        let shown = 0;
        items.forEach((item) => {
          const match = !words || item.dataset.name.toLowerCase().includes(words);
          item.hidden = !match;
          if (match) shown += 1;
        });
        groups.forEach((group) => {
          group.hidden = ![...group.querySelectorAll("[data-picker-item]")].some((i) => !i.hidden);
        });
        if (empty) empty.hidden = shown > 0;
      });
      // Enter in the search box would submit the whole form.
      search.addEventListener("keydown", (event) => {
        if (event.key === "Enter") event.preventDefault();
      });
    }
    picker.addEventListener("change", refreshCount);
    refreshCount();
  }

  // 交办: the handler list shows the people of the chosen lead unit only.
  function setUpAssign(form) {
    const handler = form.querySelector("[data-handler-select]");
    if (!handler) return;
    const filter = () => {
      const lead = form.querySelector("input[name=lead_unit]:checked");
      const unit = lead ? lead.value : "";
      [...handler.options].forEach((option) => {
        if (!option.value) return;
        const units = (option.dataset.units || "").split(" ");
        option.hidden = !unit || !units.includes(unit);
        option.disabled = option.hidden;
      });
      const chosen = handler.selectedOptions[0];
      if (chosen && chosen.hidden) handler.value = "";
    };
    form.addEventListener("change", (event) => {
      if (event.target.name === "lead_unit") filter();
    });
    filter();
  }

  // 提交答复: commitments for B and C only; rows added and removed here, numbered by the
  // server in the order they come (gaps are fine).
  function setUpReply(form) {
    const box = form.querySelector("[data-commitments]");
    if (!box) return;
    const rows = box.querySelector("[data-commitment-rows]");
    const template = box.querySelector("[data-commitment-template]");
    let next = rows.querySelectorAll("[data-commitment-row]").length;
    const addRow = () => {
      const html = template.innerHTML.replaceAll("__i__", String(next));
      next += 1;
      rows.insertAdjacentHTML("beforeend", html);
      const row = rows.lastElementChild;
      row.querySelector("input").focus();
    };
    const toggle = () => {
      const chosen = form.querySelector("input[name=reply_class]:checked");
      const needed = chosen && (chosen.value === "B" || chosen.value === "C");
      const hasError = box.querySelector(".is-invalid");
      box.hidden = !needed && !hasError;
      // Hidden rows are not sent: an A or D reply has no commitments.
      box.disabled = box.hidden;
      if (needed && !rows.querySelector("[data-commitment-row]")) addRow();
    };
    box.querySelector("[data-add-commitment]").addEventListener("click", addRow);
    rows.addEventListener("click", (event) => {
      const button = event.target.closest("[data-remove-commitment]");
      if (!button) return;
      button.closest("[data-commitment-row]").remove();
      if (!rows.querySelector("[data-commitment-row]")) addRow();
    });
    form.addEventListener("change", (event) => {
      if (event.target.name === "reply_class") toggle();
    });
    toggle();
  }

  // 审核: ticking all four gates suggests 通过; leaving one unticked suggests 不通过.
  function setUpReview(form) {
    const checks = [...form.querySelectorAll("[data-gate-check]")];
    if (!checks.length) return;
    form.addEventListener("change", (event) => {
      if (!event.target.matches("[data-gate-check]")) return;
      const pass = form.querySelector("input[name=passed][value='1']");
      const fail = form.querySelector("input[name=passed][value='0']");
      if (checks.every((c) => c.checked)) {
        if (pass) pass.checked = true;
      } else if (!event.target.checked && fail) {
        fail.checked = true;
      }
    });
  }

  // The forms under `root`, each set up once: the page's open card, and a closed card's
  // form when it arrives (htmx:load).
  function setUp(root) {
    const each = (selector, fn) => {
      const found = [...root.querySelectorAll(selector)];
      if (root.matches && root.matches(selector)) found.push(root);
      found.forEach((el) => {
        if (el.dataset.hyReady) return;
        el.dataset.hyReady = "1";
        fn(el);
      });
    };
    each("[data-picker]", setUpPicker);
    each("[data-assign-form]", setUpAssign);
    each("[data-reply-form]", setUpReply);
    each("[data-review-form]", setUpReview);
  }

  document.addEventListener("htmx:load", (event) => setUp(event.detail.elt));

  // A closed card's form that could not be fetched says so in its place.
  const cardFailed = (event) => {
    const elt = event.detail.elt;
    if (!elt || !elt.matches("[data-card-loading]")) return;
    elt.textContent = "表单载入失败，请刷新页面后重试。";
    elt.classList.add("text-danger");
  };
  document.addEventListener("htmx:responseError", cardFailed);
  document.addEventListener("htmx:sendError", cardFailed);

  document.addEventListener("DOMContentLoaded", () => {
    setUp(document);

    // After a refused action the page comes back with that action's form open; bring it
    // into view so the user sees the reason next to what they typed.
    const refused = document.querySelector(".hy-action-error");
    if (refused) {
      refused.scrollIntoView({ block: "start" });
      const invalid = refused.querySelector(".is-invalid input, input.is-invalid, textarea.is-invalid, select.is-invalid");
      if (invalid && typeof invalid.focus === "function") invalid.focus({ preventScroll: true });
    } else {
      openCard(window.location.hash);
    }
  });
  window.addEventListener("hashchange", () => openCard(window.location.hash));

  // A field the server marked wrong stops looking wrong once the user changes it.
  document.addEventListener("input", (event) => {
    if (event.target.classList && event.target.classList.contains("is-invalid")) {
      event.target.classList.remove("is-invalid");
    }
  });

  // The deadline preview answers 400 with its message (a bad date): show it all the same.
  document.addEventListener("htmx:beforeSwap", (event) => {
    if (event.detail.xhr.status === 400) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
