// Finger signatures on the consent page: draw on the canvas, keep the PNG in the hidden field.
// Our own few lines: no library, nothing fetched.
(() => {
  for (const canvas of document.querySelectorAll("canvas[data-signature-for]")) {
    const field = document.getElementById(canvas.dataset.signatureFor);
    const context = canvas.getContext("2d");
    let drawing = false;
    let drawn = false;

    const fit = () => {
      const ratio = window.devicePixelRatio || 1;
      canvas.width = canvas.clientWidth * ratio;
      canvas.height = canvas.clientHeight * ratio;
      context.setTransform(ratio, 0, 0, ratio, 0, 0);
      context.lineWidth = 2.5;
      context.lineCap = "round";
      context.lineJoin = "round";
      context.strokeStyle = "#111";
    };
    const point = (event) => {
      const box = canvas.getBoundingClientRect();
      return [event.clientX - box.left, event.clientY - box.top];
    };
    fit();

    canvas.addEventListener("pointerdown", (event) => {
      drawing = true;
      canvas.setPointerCapture(event.pointerId);
      context.beginPath();
      context.moveTo(...point(event));
      event.preventDefault();
    });
    canvas.addEventListener("pointermove", (event) => {
      if (!drawing) return;
      context.lineTo(...point(event));
      context.stroke();
      drawn = true;
    });
    const finish = () => {
      if (!drawing) return;
      drawing = false;
      if (drawn) field.value = canvas.toDataURL("image/png");
    };
    canvas.addEventListener("pointerup", finish);
    canvas.addEventListener("pointercancel", finish);

    const clear = document.querySelector(`[data-signature-clear="${canvas.dataset.signatureFor}"]`);
    if (clear) {
      clear.addEventListener("click", () => {
        fit();
        drawn = false;
        field.value = "";
      });
    }
  }
})();
