// Richtext values are HTML that other apps render as it is, so every write keeps only the markup the
// admin UI's editor produces: no scripts, styles, event handlers or javascript: links, and links
// that cannot reach back into the page that opened them.
import sanitizeHtml from 'sanitize-html';

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'strong', 'b', 'em', 'i', 'u', 's', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'hr', 'a'],
  allowedAttributes: { a: ['href', 'title', 'target', 'rel'], ol: ['start'], code: ['class'] },
  // A code block names its language as TipTap writes it; nothing else may carry a class.
  allowedClasses: { code: [/^language-[a-z0-9+#-]+$/i] },
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: {
    a: (tagName, attribs) => {
      const out: sanitizeHtml.Attributes = { ...attribs };
      if (out.target && out.target !== '_blank') delete out.target;
      // The rel TipTap's link writes: no window.opener, no referrer, no endorsement of the target.
      out.rel = 'noopener noreferrer nofollow';
      return { tagName, attribs: out };
    },
  },
};

/**
 * The value with only allowed markup kept. Text without a "<" cannot hold markup, so plain text
 * (as older data and API clients store it) is kept exactly as written rather than re-escaped.
 */
export function sanitizeRichtext(value: string): string {
  if (!value.includes('<')) return value;
  return sanitizeHtml(value, OPTIONS);
}
