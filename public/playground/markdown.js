// Answers as Markdown: the app's shared renderer (/common/markdown.js: marked + DOMPurify, same origin), plain text without it.

/** @type {{ render: (element: Element, text: string) => void } | null} */
let renderer = null;

/**
 * Loads the shared renderer once; the page keeps working (as plain text) if it cannot be loaded.
 * Globals `marked` and `DOMPurify` are a second way in, for a page that brings its own copies.
 */
export async function loadMarkdown() {
  try {
    const { createMarkdownRenderer } = await import('/common/markdown.js');
    renderer = createMarkdownRenderer(window);
    return true;
  } catch {
    const g = /** @type {any} */ (globalThis);
    if (g.marked?.parse && g.DOMPurify?.sanitize) {
      renderer = {
        render(element, text) {
          const html = g.marked.parse(text, { async: false });
          element.replaceChildren(
            g.DOMPurify.sanitize(html, { RETURN_DOM_FRAGMENT: true, FORBID_ATTR: ['style'] }),
          );
        },
      };
      return true;
    }
    return false;
  }
}

/**
 * Renders text into the element now.
 * @param {Element} element
 * @param {string} text
 */
export function renderMarkdown(element, text) {
  if (renderer) renderer.render(element, text);
  else element.textContent = text;
}

/**
 * A renderer for a growing text: at most one render per animation frame, however many chunks arrive,
 * so a long answer streaming fast costs one parse per frame, not one per chunk.
 * @param {Element} element
 * @param {() => void} [afterRender]
 */
export function throttledRenderer(element, afterRender) {
  let text = '';
  let scheduled = 0;
  const flush = () => {
    scheduled = 0;
    renderMarkdown(element, text);
    afterRender?.();
  };
  return {
    /** @param {string} next */
    set(next) {
      text = next;
      if (!scheduled) scheduled = requestAnimationFrame(flush);
    },
    /** Renders at once (a stored answer, the end of a stream). */
    now() {
      if (scheduled) cancelAnimationFrame(scheduled);
      flush();
    },
  };
}
