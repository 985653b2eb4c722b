// Highlighting on the reading page: browser selection -> code-point offsets in article.body, the tag
// toolbar, hotkeys and the highlight list. The server renders every mark; htmx swaps them in.

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });
const WHITESPACE_START = /^\s+/u;
const WHITESPACE_END = /\s+$/u;

let current = null; // the pending selection: {start, end, quote}
let busy = false;
let lastClicked = { mark: null, index: 0 };
let clickedAt = 0;

const root = () => document.getElementById("article-body");
const toolbar = () => document.getElementById("annotator-toolbar");

function codePoints(text) {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // A high surrogate followed by a low one is a single code point.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

function paragraphs() {
  const body = root();
  return body ? Array.from(body.querySelectorAll(":scope > p[data-start]")) : [];
}

function utf16Within(paragraph, node, offset) {
  const range = document.createRange();
  range.setStart(paragraph, 0);
  range.setEnd(node, offset);
  return range.toString().length;
}

// Where a range boundary falls, as (paragraph, UTF-16 offset in its text). A boundary between or
// outside paragraphs moves inward: a start to the next paragraph, an end to the previous one.
function resolve(node, offset, isStart) {
  const element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
  const paragraph = element && element.closest("p[data-start]");
  if (paragraph && paragraph.parentElement === root()) {
    return { paragraph, unit: utf16Within(paragraph, node, offset) };
  }
  const point = document.createRange();
  point.setStart(node, offset);
  const all = paragraphs();
  if (isStart) {
    const next = all.find((p) => point.comparePoint(p, 0) >= 0);
    return next ? { paragraph: next, unit: 0 } : null;
  }
  const previous = all.filter((p) => point.comparePoint(p, p.childNodes.length) <= 0).pop();
  return previous ? { paragraph: previous, unit: previous.textContent.length } : null;
}

// Move a UTF-16 offset outward to a grapheme boundary, so that an emoji sequence, a flag or a
// letter with combining marks is never cut (and a surrogate pair never split).
function snap(text, unit, outward) {
  if (unit <= 0) return 0;
  if (unit >= text.length) return text.length;
  let previous = 0;
  for (const { index } of segmenter.segment(text)) {
    if (index === unit) return unit;
    if (index > unit) return outward < 0 ? previous : index;
    previous = index;
  }
  return outward < 0 ? previous : text.length;
}

// The exact body text between two code-point offsets, rebuilt from the paragraphs; paragraphs are
// separated by newlines in the stored body.
function quoteOf(start, end) {
  let out = "";
  let cursor = start;
  for (const paragraph of paragraphs()) {
    const pStart = Number(paragraph.dataset.start);
    if (pStart >= end) break;
    const chars = Array.from(paragraph.textContent);
    const pEnd = pStart + chars.length;
    if (pEnd <= start) continue;
    if (pStart > cursor) out += "\n".repeat(pStart - cursor);
    const from = Math.max(start, pStart);
    const to = Math.min(end, pEnd);
    out += chars.slice(from - pStart, to - pStart).join("");
    cursor = to;
  }
  if (cursor < end) out += "\n".repeat(end - cursor);
  return out;
}

export function selectionToSpan(selection) {
  const body = root();
  if (!body || !selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  if (!range.intersectsNode(body)) return null;
  const first = resolve(range.startContainer, range.startOffset, true);
  const last = resolve(range.endContainer, range.endOffset, false);
  if (!first || !last) return null;
  const firstText = first.paragraph.textContent;
  const lastText = last.paragraph.textContent;
  const startUnit = snap(firstText, first.unit, -1);
  const endUnit = snap(lastText, last.unit, 1);
  let start = Number(first.paragraph.dataset.start) + codePoints(firstText.slice(0, startUnit));
  let end = Number(last.paragraph.dataset.start) + codePoints(lastText.slice(0, endUnit));
  if (end <= start) return null;
  let quote = quoteOf(start, end);
  const lead = (quote.match(WHITESPACE_START) || [""])[0];
  const trail = (quote.match(WHITESPACE_END) || [""])[0];
  if (lead.length === quote.length) return null;
  start += codePoints(lead);
  end -= codePoints(trail);
  quote = quote.slice(lead.length, quote.length - trail.length);
  return { start, end, quote, rect: range.getBoundingClientRect() };
}

function requestId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function csrfToken() {
  try {
    return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
  } catch {
    return "";
  }
}

function showToolbar(span) {
  const bar = toolbar();
  if (!bar) return;
  current = span;
  bar.hidden = false;
  const width = bar.offsetWidth;
  const left = Math.min(Math.max(8, span.rect.left + window.scrollX), window.scrollX + window.innerWidth - width - 8);
  bar.style.left = `${left}px`;
  bar.style.top = `${span.rect.bottom + window.scrollY + 8}px`;
}

function hideToolbar() {
  const bar = toolbar();
  if (bar) bar.hidden = true;
  current = null;
}

function updateSelection() {
  if (!root() || !root().dataset.createUrl) return;
  const span = selectionToSpan(window.getSelection());
  if (span) showToolbar(span);
  else hideToolbar();
}

async function createHighlight(tagId) {
  const body = root();
  const span = current;
  if (!body || !span || busy) return;
  busy = true;
  clickedAt = performance.now();
  hideToolbar();
  window.getSelection().removeAllRanges();
  const values = { start: span.start, end: span.end, quote: span.quote, request_id: requestId() };
  if (tagId) values.tags = tagId;
  if (body.dataset.filterTag) values.tag = body.dataset.filterTag;
  if (body.dataset.filterAuthor) values.author = body.dataset.filterAuthor;
  try {
    await htmx.ajax("POST", body.dataset.createUrl, {
      source: body,
      target: "#article-body",
      swap: "outerHTML",
      values,
      headers: { "X-CSRFToken": csrfToken() },
    });
  } finally {
    busy = false;
  }
}

function marksOf(id) {
  const body = root();
  return body ? body.querySelectorAll(`mark[data-ann~="${CSS.escape(String(id))}"]`) : [];
}

function setActive(id) {
  document.querySelectorAll(".highlight-item.is-active").forEach((el) => el.classList.remove("is-active"));
  document.querySelectorAll("mark.is-active").forEach((el) => el.classList.remove("is-active"));
  if (id == null) return;
  const item = document.getElementById(`ann-${id}`);
  if (item) {
    item.classList.add("is-active");
    item.scrollIntoView({ block: "nearest" });
  }
  marksOf(id).forEach((mark) => mark.classList.add("is-active"));
}

function openHighlight(id, { scroll = false } = {}) {
  const link = document.querySelector(`#ann-${CSS.escape(String(id))} .highlight-open`);
  setActive(id);
  if (scroll) {
    const mark = marksOf(id)[0];
    if (mark) mark.scrollIntoView({ block: "center" });
  }
  if (link) htmx.trigger(link, "click");
}

function activeId() {
  const item = document.querySelector(".highlight-item.is-active");
  return item ? item.dataset.ann : null;
}

function moveActive(step) {
  const items = Array.from(document.querySelectorAll(".highlight-item"));
  if (!items.length) return;
  const index = items.findIndex((item) => item.dataset.ann === activeId());
  const next = index < 0 ? (step > 0 ? 0 : items.length - 1) : (index + step + items.length) % items.length;
  openHighlight(items[next].dataset.ann, { scroll: true });
}

function isTyping(target) {
  return target instanceof HTMLElement && (target.isContentEditable || target.closest("input, textarea, select"));
}

// 409 and 422 answers that name their own target carry a message meant for the page.
document.addEventListener("htmx:beforeSwap", (event) => {
  const xhr = event.detail.xhr;
  if ((xhr.status === 409 || xhr.status === 422) && xhr.getResponseHeader("HX-Retarget")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

document.addEventListener("tags:changed", (event) => {
  const link = document.querySelector("link[data-tag-stylesheet]");
  if (link && event.detail && event.detail.stylesheet) link.href = event.detail.stylesheet;
});

document.addEventListener("htmx:afterSwap", (event) => {
  const target = event.detail.target;
  if (target && target.id === "article-body" && clickedAt) {
    const started = clickedAt;
    clickedAt = 0;
    // Two frames: the first runs before the browser paints the swapped body, the second after.
    requestAnimationFrame(() =>
      requestAnimationFrame(() => {
        document.body.dataset.lastPaintMs = (performance.now() - started).toFixed(1);
      }),
    );
  }
  const toast = document.getElementById("annotation-toast");
  if (toast && !toast.hideTimer) {
    toast.hideTimer = setTimeout(() => toast.remove(), Number(toast.dataset.autohide || 8000));
  }
});

// After htmx's settle step, which puts back the server's attributes on elements that keep their id.
document.addEventListener("htmx:afterSettle", () => {
  // Cached list fragments carry no active state; the open editor says which highlight is active.
  const editor = document.getElementById("annotation-editor");
  const active = editor && !editor.hidden ? editor.dataset.editing : null;
  if (active) setActive(active);
});


document.addEventListener("mouseup", (event) => {
  if (event.target instanceof Element && event.target.closest("#annotator-toolbar")) return;
  setTimeout(updateSelection, 0);
});

document.addEventListener("keyup", (event) => {
  if (event.shiftKey || event.key === "Shift") setTimeout(updateSelection, 0);
});

document.addEventListener("selectionchange", () => {
  if (current && window.getSelection().isCollapsed) hideToolbar();
});

document.addEventListener("mousedown", (event) => {
  // Keep the text selected while a toolbar button is pressed.
  if (event.target instanceof Element && event.target.closest("#annotator-toolbar")) event.preventDefault();
});

document.addEventListener("click", (event) => {
  if (!(event.target instanceof Element)) return;
  const tagButton = event.target.closest("#annotator-toolbar [data-tag-id]");
  if (tagButton) {
    createHighlight(tagButton.dataset.tagId);
    return;
  }
  if (event.target.closest("[data-close-editor]")) {
    const editor = document.getElementById("annotation-editor");
    if (editor) {
      editor.hidden = true;
      editor.replaceChildren();
    }
    setActive(null);
    return;
  }
  if (event.target.closest("[data-show-shortcuts]")) {
    document.getElementById("annotator-help")?.showModal();
    return;
  }
  const mark = event.target.closest("#article-body mark[data-ann]");
  if (mark && window.getSelection().isCollapsed) {
    const ids = mark.dataset.ann.split(" ");
    // Clicking the same overlap again steps outward through the highlights that cover it.
    const index = lastClicked.mark === mark ? (lastClicked.index + 1) % ids.length : 0;
    lastClicked = { mark, index };
    openHighlight(ids[index]);
  }
});

document.addEventListener("mouseover", (event) => {
  const item = event.target instanceof Element && event.target.closest(".highlight-item");
  if (item) marksOf(item.dataset.ann).forEach((mark) => mark.classList.add("is-hovered"));
});

document.addEventListener("mouseout", (event) => {
  const item = event.target instanceof Element && event.target.closest(".highlight-item");
  if (item && !item.contains(event.relatedTarget)) {
    marksOf(item.dataset.ann).forEach((mark) => mark.classList.remove("is-hovered"));
  }
});

document.addEventListener("keydown", (event) => {
  if (!root()) return;
  if (event.key === "Escape") {
    if (current) {
      hideToolbar();
      window.getSelection().removeAllRanges();
    }
    return;
  }
  if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
  if (/^[1-9]$/.test(event.key) && current) {
    const button = toolbar()?.querySelector(`[data-hotkey="${event.key}"]`);
    if (button) {
      event.preventDefault();
      createHighlight(button.dataset.tagId);
    }
  } else if (event.key === "j" || event.key === "k") {
    event.preventDefault();
    moveActive(event.key === "j" ? 1 : -1);
  } else if (event.key === "?") {
    event.preventDefault();
    document.getElementById("annotator-help")?.showModal();
  }
});

function openFromHash() {
  const match = /^#ann-(\d+)$/.exec(window.location.hash);
  if (match && document.getElementById(`ann-${match[1]}`)) openHighlight(match[1], { scroll: true });
}

// After htmx has processed the page, so the list links answer clicks.
if (document.readyState === "complete") openFromHash();
else window.addEventListener("load", openFromHash);

export { codePoints, quoteOf, snap };
