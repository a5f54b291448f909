// Tongxin's own scripts: small progressive enhancements only; every page works without them.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});

// A table wider than the screen scrolls sideways in its box; a keyboard user reaches that box
// with Tab (then the arrow keys scroll it), and a screen reader names it after the table's
// caption or the heading above it. Boxes that do not scroll stay out of the tab order.
const SCROLL_BOXES = ".table-responsive, .table-responsive-md, .table-responsive-lg";

function nameOf(box) {
  const caption = box.querySelector("caption");
  if (caption) {
    return caption.textContent.trim();
  }
  for (let node = box.previousElementSibling; node; node = node.previousElementSibling) {
    if (/^H[1-6]$/.test(node.tagName)) {
      return node.textContent.trim();
    }
  }
  const heading = box.closest("section, .card, main")?.querySelector("h1, h2, h3, h4");
  return heading ? heading.textContent.trim() : document.title;
}

function markScrollBoxes() {
  for (const box of document.querySelectorAll(SCROLL_BOXES)) {
    const scrolls = box.scrollWidth > box.clientWidth + 1;
    if (scrolls && !box.hasAttribute("tabindex")) {
      box.tabIndex = 0;
      box.setAttribute("role", "region");
      box.dataset.txScrollBox = box.hasAttribute("aria-label") ? "" : "named";
      if (box.dataset.txScrollBox) {
        box.setAttribute("aria-label", nameOf(box));
      }
    } else if (!scrolls && "txScrollBox" in box.dataset) {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      if (box.dataset.txScrollBox) {
        box.removeAttribute("aria-label");
      }
      delete box.dataset.txScrollBox;
    }
  }
}
document.addEventListener("DOMContentLoaded", markScrollBoxes);
window.addEventListener("resize", markScrollBoxes);
document.addEventListener("htmx:afterSettle", markScrollBoxes);

// Tables that reflow into cards on a narrow screen label each cell with its column's heading;
// cells that carry their own label (data-label in the template) keep it.
function labelReflowCells(root) {
  for (const table of root.querySelectorAll("table.tx-reflow")) {
    const headings = [...table.querySelectorAll("thead tr:first-child th")].map((th) =>
      th.textContent.trim(),
    );
    for (const row of table.querySelectorAll("tbody tr")) {
      let column = 0;
      for (const cell of row.children) {
        const span = cell.colSpan || 1;
        if (cell.tagName === "TD" && span === 1 && !cell.hasAttribute("data-label")) {
          if (headings[column]) {
            cell.dataset.label = headings[column];
          }
        }
        column += span;
      }
    }
  }
}
document.addEventListener("DOMContentLoaded", () => labelReflowCells(document));
document.addEventListener("htmx:afterSettle", () => labelReflowCells(document));
