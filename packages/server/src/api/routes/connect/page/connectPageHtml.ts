/**
 * The Connect page's document. Static: every value (integration names, errors) is put in by the script with
 * textContent, never as markup, and the script and style are files of their own (CSP without 'unsafe-inline').
 */
export const CONNECT_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Connect an account</title>
<link rel="stylesheet" href="/connect/assets/connect.css">
<script src="/connect/assets/connect.js" defer></script>
</head>
<body>
<main class="card" aria-labelledby="title">
  <div class="top">
    <h1 id="title" tabindex="-1">Connect an account</h1>
    <button type="button" id="close" class="close" aria-label="Close" hidden>&times;</button>
  </div>
  <p id="who" class="who" hidden></p>
  <p id="status" class="status" role="status" aria-live="polite">Loading…</p>
  <ul id="integrations" class="integrations" aria-label="Integrations you can connect" hidden></ul>
  <form id="credentials" class="credentials" hidden novalidate>
    <h2 id="form-title" tabindex="-1"></h2>
    <p id="form-intro" class="hint" hidden></p>
    <p id="docs" class="docs" hidden><a id="docs-link" target="_blank" rel="noopener noreferrer"></a></p>
    <div id="fields"></div>
    <p id="form-error" class="error" role="alert"></p>
    <div class="actions">
      <button type="submit" id="submit">Connect</button>
      <button type="button" id="back" class="secondary">Back</button>
    </div>
  </form>
  <section id="done" class="done" hidden aria-labelledby="done-title">
    <h2 id="done-title" tabindex="-1"></h2>
    <div class="actions"><button type="button" id="again" class="secondary">Connect another</button></div>
  </section>
</main>
<noscript><p class="error">This page needs JavaScript to connect an account.</p></noscript>
</body>
</html>
`;
