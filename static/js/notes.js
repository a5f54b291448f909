// Note and addendum forms: a character counter under each box, a size check before sending, and
// for the note the autosave (htmx, every 30 seconds and on leaving a box, only after a change),
// so that nothing typed is lost to a refused request or an idle sign-out. Our own few lines.
(() => {
  const counterText = (form, count, limit) =>
    form.dataset.counter.replace("{count}", count).replace("{limit}", limit);

  const boxes = (form) => [...form.querySelectorAll("textarea[data-max-chars]")];

  const watchLength = (form, onInput) => {
    for (const box of boxes(form)) {
      const limit = Number(box.dataset.maxChars);
      const counter = document.createElement("div");
      counter.className = "form-text tx-counter";
      box.insertAdjacentElement("afterend", counter);
      const update = () => {
        const count = box.value.length;
        counter.textContent = counterText(form, count, limit);
        counter.classList.toggle("text-danger", count > limit);
      };
      update();
      box.addEventListener("input", () => {
        update();
        onInput();
      });
    }
  };

  const checkBeforeSending = (form) => {
    form.addEventListener("submit", (event) => {
      const tooLong = boxes(form).some((box) => box.value.length > Number(box.dataset.maxChars));
      const size = new Blob([new URLSearchParams(new FormData(form)).toString()]).size;
      if (tooLong || size > Number(form.dataset.maxBytes)) {
        event.preventDefault();
        form.querySelector(".tx-form-problem").textContent = tooLong
          ? form.dataset.tooLong
          : form.dataset.tooBig;
      }
    });
  };

  const autosave = (form) => {
    const status = form.querySelector(".tx-autosave-status");
    let dirty = false;
    const save = () => {
      if (!dirty || !window.htmx) return;
      dirty = false;
      window.htmx.trigger(form, "tx-autosave");
    };
    for (const box of boxes(form)) box.addEventListener("focusout", save);
    window.setInterval(save, 30_000);
    form.addEventListener("htmx:beforeSwap", (event) => {
      if ((event.detail.xhr.responseURL || "").includes("/login/")) {
        event.detail.shouldSwap = false;
        dirty = true;
        status.textContent = form.dataset.expired;
        status.className = "tx-autosave-status text-danger";
      }
    });
    form.addEventListener("htmx:responseError", () => (dirty = true));
    form.addEventListener("htmx:sendError", () => (dirty = true));
    return () => (dirty = true);
  };

  for (const form of document.querySelectorAll("form.tx-note-form")) {
    const changed = form.hasAttribute("hx-post") ? autosave(form) : () => {};
    watchLength(form, changed);
    checkBeforeSending(form);
  }
})();
