// The flow studio's preview page (issue 18): the touch UI's design tokens from its own index.html, then
// the preview element. Built by the console's build (console/build.mjs) into the console's assets.
import touchUiPage from '../ui/index.html';
import './tp-studio-preview.js';

const tokens = /<style>([\s\S]*?)<\/style>/.exec(touchUiPage)?.[1] ?? '';
const sheet = new CSSStyleSheet();
sheet.replaceSync(tokens);
document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
