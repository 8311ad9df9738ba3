/**
 * The phone touchpoint's HTML shell (issue 17). The link's token stays in the URL only until the script
 * claims it; `no-referrer` keeps it out of any Referer header. Sized for a phone, large touch targets.
 */
export function phoneHelpPageHtml(scriptPath: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<meta name="referrer" content="no-referrer">
<title>Touchpoint help</title>
<style>
  :root { font-family: system-ui, sans-serif; color-scheme: light; --accent: #0b57d0; }
  body { margin: 0; min-height: 100dvh; background: #f4f6f8; color: #1b1f24; }
  header { background: #fff; padding: 16px; border-bottom: 1px solid #d8dde3; display: flex; align-items: center; gap: 12px; }
  header h1 { font-size: 1.1rem; margin: 0; flex: 1; }
  main { padding: 16px; display: flex; flex-direction: column; gap: 16px; }
  h2 { font-size: 1.3rem; margin: 0; }
  p { margin: 0; line-height: 1.45; }
  .card { background: #fff; border-radius: 14px; padding: 16px; display: flex; flex-direction: column; gap: 12px; box-shadow: 0 1px 2px #0002; }
  button { min-height: 52px; font-size: 1.05rem; border-radius: 12px; border: 1px solid #b8c0ca; background: #fff; color: inherit; padding: 8px 14px; }
  button.primary { background: var(--accent); border-color: var(--accent); color: #fff; font-weight: 600; }
  button:disabled { opacity: .5; }
  .row { display: flex; gap: 10px; flex-wrap: wrap; } .row > button { flex: 1; }
  .scale { display: grid; grid-template-columns: repeat(7, 1fr); gap: 6px; } .scale button { min-height: 44px; padding: 0; }
  .scale button[aria-pressed="true"] { background: var(--accent); color: #fff; }
  progress { width: 100%; height: 8px; }
  .note { color: #4a5560; font-size: .95rem; }
  .badge { font-size: .85rem; border-radius: 999px; padding: 4px 10px; background: #e6f4ea; color: #0d652d; }
  #status { font-size: .95rem; }
  .refused { color: #a50e0e; }
  #chat-log { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 8px; max-height: 40dvh; overflow: auto; }
  #chat-log li { border-radius: 12px; padding: 8px 12px; max-width: 85%; background: #e8eef7; align-self: flex-start; }
  #chat-log li.customer { background: #0b57d0; color: #fff; align-self: flex-end; }
  #chat-log .who { font-size: .8rem; opacity: .8; display: block; }
  #chat-input { flex: 3; min-height: 48px; font-size: 1rem; border-radius: 12px; border: 1px solid #b8c0ca; padding: 0 12px; }
  a.button { display: flex; align-items: center; justify-content: center; min-height: 52px; border-radius: 12px; text-decoration: none; font-weight: 600; background: var(--accent); color: #fff; }
  [hidden] { display: none !important; }
</style>
</head>
<body>
<header><h1 id="device">Touchpoint</h1><span class="badge" id="live" hidden></span><button id="leave" hidden></button></header>
<main>
  <p id="status" role="status" aria-live="polite">…</p>
  <section id="case" class="card" hidden aria-live="polite"></section>
  <section id="call" class="card" hidden role="alert"></section>
  <section id="screen" class="card" hidden aria-live="polite"></section>
  <section id="home" class="card" hidden></section>
  <section id="chat" class="card" hidden aria-labelledby="chat-title">
    <h2 id="chat-title"></h2>
    <ol id="chat-log" aria-live="polite"></ol>
    <form id="chat-form" class="row"><input id="chat-input" maxlength="1000" autocomplete="off"><button class="primary" id="chat-send" type="submit"></button></form>
  </section>
</main>
<script type="module" src="${scriptPath}"></script>
</body>
</html>
`;
}
