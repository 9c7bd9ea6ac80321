// Markdown to safe DOM for the app's pages: marked reads the syntax, DOMPurify cleans what it made.
import { Marked } from '/vendor/marked.js';
import DOMPurify from '/vendor/purify.js';

/** @type {Record<string, string>} */
const entities = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** @param {string} text */
const escapeHtml = (text) => text.replace(/[&<>"']/g, (c) => entities[c] ?? c);

/**
 * A renderer with its own marked and DOMPurify instances, so its hooks and options never leak into
 * another user of either library on the page.
 *
 * - Raw HTML a model writes (`<script>`, `<img onerror>`) is shown as the text it is, not parsed:
 *   readers see what the model said, and DOMPurify stays the second line of defence, not the only one.
 * - Images become links to the image: the page's CSP loads no image from another origin anyway, and
 *   a remote image would tell its host who reads the answer.
 * - Links open in a new tab with no opener and no referrer; javascript: and other unsafe URLs lose
 *   their href (DOMPurify's URI allow-list) and read as plain text.
 *
 * @param {Window} [win]
 */
export function createMarkdownRenderer(win = window) {
  const marked = new Marked({ gfm: true, async: false });
  marked.use({
    renderer: {
      // A block of HTML keeps its lines; inline tags stay where they were in the sentence.
      html: ({ text, block }) =>
        block ? `<p>${escapeHtml(text.trim()).replaceAll('\n', '<br>')}</p>\n` : escapeHtml(text),
      image: ({ href, text }) => `<a href="${escapeHtml(href)}">${escapeHtml(text || href)}</a>`,
    },
  });

  const purify = DOMPurify(win);
  purify.addHook('afterSanitizeAttributes', (node) => {
    if (node.nodeName !== 'A') return;
    if (node.hasAttribute('href')) {
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer');
    } else {
      node.removeAttribute('target');
    }
  });
  const config = {
    RETURN_DOM_FRAGMENT: /** @type {const} */ (true),
    FORBID_TAGS: [
      'img',
      'style',
      'form',
      'input',
      'button',
      'textarea',
      'select',
      'iframe',
      'object',
      'embed',
    ],
    // Inline styles would only trip the page's CSP; ids could clobber the page's own elements.
    FORBID_ATTR: ['style', 'id', 'name'],
  };

  /**
   * @param {string} text Markdown
   * @returns {DocumentFragment}
   */
  function toFragment(text) {
    const html = /** @type {string} */ (marked.parse(String(text ?? '')));
    return purify.sanitize(html, config);
  }

  return {
    toFragment,
    /**
     * Replaces the element's content with the rendered text; cheap enough to call on every streamed chunk.
     * @param {Element} element
     * @param {string} text
     */
    render(element, text) {
      element.replaceChildren(toFragment(text));
    },
  };
}
