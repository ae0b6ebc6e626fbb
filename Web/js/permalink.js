// js/permalink.js: the follower page in single-post mode (GET /p/<id>): that post alone, a link to its source,
// and a way back to the wall; a hidden or unknown post shows a plain "no longer available".

import { fetchPost } from "./api.js";
import { LINK_REL, renderPost, safeHttpUrl } from "./render-post.js";

/** The post id in `/p/<id>`, or `null` on any other path. */
export function permalinkId(pathname) {
  const match = /^\/p\/([^/]+)$/.exec(pathname);
  if (!match) return null;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return null;
  }
}

/** Fills the page for post `id`: `elements` are the page's loading line, card list and the permalink block. */
export async function showPermalink(id, { template, language, elements }) {
  const post = await fetchPost(id);
  elements.loading.hidden = true;
  elements.permalink.hidden = false;
  if (!post) {
    elements.unavailable.hidden = false;
    return;
  }
  elements.cards.append(renderPost(template, post, { language }));
  const source = safeHttpUrl(post.url);
  if (source) {
    elements.source.setAttribute("href", source);
    elements.source.setAttribute("rel", LINK_REL);
    elements.source.hidden = false;
  }
}
