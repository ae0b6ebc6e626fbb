// js/fit-text.js: clamps each card's text to the whole lines its box can hold, so nothing overflows.

/**
 * For every `.text-box` under `root`, sets the `.text` inside to show as many whole lines as the box
 * holds, ending with an ellipsis (CSS line-clamp). The stylesheet's own clamp is the fallback.
 */
export function fitText(root) {
  for (const box of root.querySelectorAll(".text-box")) {
    const text = box.querySelector(".text");
    if (!text || box.clientHeight === 0) continue;
    const style = getComputedStyle(text);
    const fontSize = parseFloat(style.fontSize);
    let lineHeight = parseFloat(style.lineHeight);
    if (!Number.isFinite(lineHeight)) lineHeight = fontSize * 1.25; // "normal"
    else if (lineHeight < fontSize * 0.8) lineHeight *= fontSize; // a bare factor such as "1.25"
    const lines = String(Math.max(1, Math.floor((box.clientHeight + 1) / lineHeight)));
    text.style.setProperty("-webkit-line-clamp", lines);
    text.style.setProperty("line-clamp", lines);
  }
}
