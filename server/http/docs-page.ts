/**
 * The `/docs` page around Swagger UI (swagger-ui-dist serves the rest): WaGate's own page, start script and theme,
 * so the page passes axe (contrast, labels, landmarks, headings, no control inside another) and honours
 * prefers-reduced-motion. Strings, not files: the core is bundled into one file for the desktop app. Each is served
 * as a file of its own, so the strict CSP (no inline script) holds here too.
 */

export const DOCS_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>WaGate API – documentation</title>
    <link rel="stylesheet" href="./swagger-ui.css" />
    <link rel="stylesheet" href="./wagate-theme.css" />
    <link rel="icon" href="data:," />
  </head>
  <body>
    <nav class="wagate-back" aria-label="WaGate"><a href="/">← Back to the WaGate dashboard</a></nav>
    <div id="swagger-ui"></div>
    <script src="./swagger-ui-bundle.js"></script>
    <script src="./swagger-initializer.js"></script>
  </body>
</html>
`;

/**
 * BaseLayout: no top bar (its "explore another URL" field is of no use here and had no label). No deep links: they
 * put a link inside each operation's toggle button. No syntax colours: its themes' reds are too faint on the dark code. Swagger UI renders some controls without a name and skips
 * heading levels, so every change of the page is followed by a pass that names them and evens the levels out.
 */
export const DOCS_INITIALIZER = `window.onload = () => {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: false, persistAuthorization: false,
    presets: [SwaggerUIBundle.presets.apis], layout: 'BaseLayout', syntaxHighlight: { activated: false },
  });
  const root = document.getElementById('swagger-ui');
  const name = (element, text) => {
    const labelled = [...(element.labels ?? [])].some((label) => label.textContent.trim() !== '');
    if (!labelled && !element.hasAttribute('aria-label')) element.setAttribute('aria-label', text);
  };
  const region = (element, text) => {
    element.setAttribute('role', 'region');
    element.setAttribute('aria-label', text);
  };
  const tidy = () => {
    // Swagger UI's own <main> holds the operations; what comes before it gets a landmark of its own.
    root.querySelectorAll('.information-container').forEach((info) => region(info, 'About this API'));
    root.querySelectorAll('.scheme-container').forEach((servers) => region(servers, 'Server and authorization'));
    // Its label element holds only the select itself.
    root.querySelectorAll('#servers:not([aria-label])').forEach((select) => select.setAttribute('aria-label', 'Server'));
    root.querySelectorAll('.content-type, .body-param-content-type select').forEach((select) => name(select, 'Media type'));
    root.querySelectorAll('.examples-select select').forEach((select) => name(select, 'Example'));
    root.querySelectorAll('.parameters tr[data-param-name]').forEach((row) => {
      const param = row.getAttribute('data-param-name');
      row.querySelectorAll('input, select, textarea').forEach((control) => name(control, param));
    });
    root.querySelectorAll('.body-param textarea, textarea.body-param__text').forEach((area) => name(area, 'Request body'));
    let previous = 0;
    root.querySelectorAll('h1, h2, h3, h4, h5, h6').forEach((heading) => {
      const level = Math.min(Number(heading.tagName[1]), previous + 1);
      if (level === Number(heading.tagName[1])) heading.removeAttribute('aria-level');
      else heading.setAttribute('aria-level', String(level));
      previous = level;
    });
  };
  let pending = false;
  new MutationObserver(() => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      tidy();
    });
  }).observe(root, { childList: true, subtree: true });
};
`;

/** Swagger UI's colours darkened to at least 4.5:1 for text and 3:1 for shapes (WCAG 1.4.3, 1.4.11). */
export const DOCS_THEME = `html { overflow-y: scroll; }
.wagate-back { max-width: 1460px; margin: 0 auto; padding: 12px 20px 0; font-family: sans-serif; }
.wagate-back a { color: #0f5a3a; font-weight: 600; }
body { margin: 0; background: #fafafa; }
.swagger-ui .opblock.opblock-post .opblock-summary-method { background: #0f6b43; }
.swagger-ui .opblock.opblock-post { border-color: #0f6b43; }
.swagger-ui .opblock.opblock-get .opblock-summary-method { background: #1d5a9e; }
.swagger-ui .opblock.opblock-get { border-color: #1d5a9e; }
.swagger-ui .opblock.opblock-delete .opblock-summary-method { background: #b3261e; }
.swagger-ui .opblock.opblock-delete { border-color: #b3261e; }
.swagger-ui .opblock.opblock-put .opblock-summary-method { background: #8a4b00; }
.swagger-ui .opblock.opblock-put { border-color: #8a4b00; }
.swagger-ui .opblock.opblock-patch .opblock-summary-method { background: #0f6b63; }
.swagger-ui .opblock.opblock-patch { border-color: #0f6b63; }
.swagger-ui .opblock-tag small, .swagger-ui .opblock .opblock-summary-description { color: #3b4151; }
.swagger-ui .info .title small { background: #555d6b; }
.swagger-ui .info .title small.version-stamp { background: #3d6b00; }
.swagger-ui .info a, .swagger-ui .info .url, .swagger-ui a.nostyle { color: #1d5a9e; }
.swagger-ui .btn.authorize { color: #0f6b43; border-color: #0f6b43; }
.swagger-ui .btn.authorize svg { fill: #0f6b43; }
.swagger-ui .btn.cancel { color: #b3261e; border-color: #b3261e; }
.swagger-ui .btn.execute { background: #1d5a9e; border-color: #1d5a9e; }
.swagger-ui .json-schema-2020-12-expand-deep-button { color: #505050; }
.swagger-ui .download-contents { background: #555d6b; }
.swagger-ui .parameter__name.required span, .swagger-ui .parameter__name.required::after { color: #b3261e; }
.swagger-ui .parameter__in, .swagger-ui .parameter__type, .swagger-ui .prop-format { color: #505050; }
.swagger-ui input[type='text'], .swagger-ui textarea, .swagger-ui select { border-color: #767676; }
.swagger-ui :focus-visible { outline: 3px solid #1a5fd0; outline-offset: 2px; }
@media (prefers-reduced-motion: reduce) {
  .swagger-ui *, .swagger-ui *::before, .swagger-ui *::after {
    animation-duration: 0s !important;
    animation-iteration-count: 1 !important;
    transition-duration: 0s !important;
    scroll-behavior: auto !important;
  }
}
`;
