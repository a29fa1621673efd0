/** The Connect page's style: system fonts, high contrast (text 16:1, buttons 7:1 and more), visible focus. */
export const CONNECT_PAGE_CSS = `*{box-sizing:border-box}
[hidden]{display:none!important}
html,body{margin:0;min-height:100%}
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#111;background:#f2f3f5;display:flex;align-items:flex-start;justify-content:center;padding:5vh 1rem}
html.framed body{background:rgba(17,17,17,.55);min-height:100vh}
.card{background:#fff;width:100%;max-width:28rem;border-radius:12px;padding:1.5rem;box-shadow:0 8px 32px rgba(0,0,0,.18)}
.top{display:flex;align-items:center;justify-content:space-between;gap:1rem}
h1{font-size:1.35rem;margin:0}
h2{font-size:1.1rem;margin:0 0 .75rem}
h1:focus,h2:focus{outline:none}
.who{margin:.25rem 0 0;color:#3d3d3d}
.status{margin:1rem 0;color:#3d3d3d;min-height:1.5em}
.status.error,.error{color:#a40e26}
.status.ok{color:#0b6b2e}
.integrations{list-style:none;margin:0;padding:0;display:grid;gap:.5rem}
.integrations button{width:100%;display:flex;justify-content:space-between;align-items:center;text-align:left;background:#fff;color:#111;border:1px solid #8a8f98}
.integrations button:hover{background:#f0f4ff}
.mode{font-size:.85rem;color:#4a4a4a}
button{font:inherit;cursor:pointer;border-radius:8px;padding:.6rem 1rem;border:1px solid #0b57d0;background:#0b57d0;color:#fff}
button.secondary{background:#fff;color:#0b57d0}
button.close{background:transparent;color:#3d3d3d;border:none;font-size:1.6rem;line-height:1;padding:.2rem .5rem}
button:disabled{opacity:.6;cursor:progress}
button:focus-visible,input:focus-visible,select:focus-visible,a:focus-visible{outline:3px solid #e8a600;outline-offset:2px}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
.optional{font-weight:400;color:#4a4a4a}
.hint{margin:0 0 .35rem;color:#3d3d3d;font-size:.9rem}
.guide,.docs a{color:#0b57d0;font-size:.9rem}
.guide{display:inline-block;margin:0 0 .35rem}
.docs{margin:0 0 .5rem}
.affix{display:flex;align-items:center;gap:.35rem}
.prefix,.suffix{color:#3d3d3d;white-space:nowrap}
input,select{font:inherit;width:100%;min-width:0;padding:.55rem .65rem;border:1px solid #6b7078;border-radius:8px;color:#111;background:#fff}
input[aria-invalid=true],select[aria-invalid=true]{border-color:#a40e26;border-width:2px}
.field-error{margin:.25rem 0 0;color:#a40e26;font-size:.9rem}
.field-error:empty{display:none}
.actions{display:flex;gap:.5rem;margin-top:1rem}
.error{min-height:1.5em;margin:.75rem 0 0}
@media (prefers-reduced-motion:no-preference){button{transition:background .15s}}
`;
