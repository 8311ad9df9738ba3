/**
 * The phone page's HTML shell. The link's token stays in the URL only until
 * the script claims it; `no-referrer` keeps it out of any Referer header.
 */
export function phonePageHtml(scriptPath: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<meta name="referrer" content="no-referrer">
<title>Touchpoint video support</title>
<style>
  :root { color-scheme: dark; font-family: system-ui, sans-serif; }
  body { margin: 0; min-height: 100dvh; background: #111; color: #f5f5f5; display: flex; flex-direction: column; }
  main { flex: 1; display: flex; flex-direction: column; gap: 16px; padding: 16px; }
  h1 { font-size: 1.25rem; margin: 0; }
  p { margin: 0; line-height: 1.4; }
  .actions { display: flex; gap: 12px; }
  button { flex: 1; min-height: 56px; font-size: 1.1rem; border-radius: 12px; border: 0; }
  .accept { background: #1a7f37; color: #fff; } .decline, .end { background: #b42318; color: #fff; }
  .stage { position: relative; flex: 1; background: #000; border-radius: 12px; overflow: hidden; min-height: 240px; }
  #remote { width: 100%; height: 100%; object-fit: cover; }
  #local { position: absolute; right: 8px; bottom: 8px; width: 30%; border-radius: 8px; border: 2px solid #fff; }
  .live { display: inline-flex; align-items: center; gap: 8px; background: #b42318; color: #fff; border-radius: 999px; padding: 4px 12px; font-weight: 600; }
  .live::before { content: ''; width: 10px; height: 10px; border-radius: 50%; background: #fff; }
  [hidden] { display: none !important; }
</style>
</head>
<body>
<main>
  <h1>Video support</h1>
  <p id="status" role="status" aria-live="polite">Opening the link…</p>
  <section id="consent" hidden>
    <p id="who"></p>
    <p>Shared while the call runs: your microphone and your camera. Nothing is recorded.</p>
    <div class="actions"><button class="decline" id="decline">Decline</button><button class="accept" id="accept">Accept</button></div>
  </section>
  <section id="call" hidden class="stage" aria-label="Video call">
    <video id="remote" autoplay playsinline></video>
    <video id="local" autoplay playsinline muted></video>
  </section>
  <div id="controls" hidden class="actions"><span class="live" id="indicator">Camera and microphone on</span><button class="end" id="end">End call</button></div>
</main>
<script type="module" src="${scriptPath}"></script>
</body>
</html>
`;
}
