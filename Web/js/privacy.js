// js/privacy.js: the organiser's privacy notice (GET /privacy, from /api/wall's privacyNotice), as text paragraphs.

import { fetchWall } from "./api.js";
import { applyWallSettings } from "./wall-settings.js";

const wall = await fetchWall({ attempts: 5 });
const strings = applyWallSettings(wall);
const notice = document.getElementById("privacy-notice");
const paragraphs = (wall.privacyNotice ?? "").split(/\n\s*\n/).map((part) => part.trim()).filter((part) => part !== "");
if (paragraphs.length === 0) {
  const none = document.createElement("p");
  none.textContent = strings.privacyNone;
  notice.append(none);
}
for (const text of paragraphs) {
  const paragraph = document.createElement("p");
  paragraph.textContent = text; // text, never markup; single line breaks kept by CSS
  notice.append(paragraph);
}
document.title = `${strings.privacyTitle} · ${wall.title}`;
