/**
 * The dashboard's one stylesheet, inlined in every page (no asset route, no
 * build step). Narrow screens get tables as stacked cards: each cell shows
 * its column name from `data-label`.
 */
export const STYLE = `
:root{color-scheme:light;--fg:#1b1f24;--muted:#5b6570;--line:#d9dee3;--bg:#f6f8fa;--accent:#0b5cad;--bad:#b00020;--bad-bg:#fdecee;--good:#137333;--good-bg:#e6f4ea;--warn:#a35200}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--fg);background:#fff}
header{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1.25rem;padding:.6rem 1rem;background:#102a43;color:#fff}
header a{color:#d9e8ff;text-decoration:none;padding:.2rem .1rem;border-bottom:2px solid transparent}
header a[aria-current=page]{color:#fff;border-bottom-color:#7cc4ff}
header .brand{font-weight:700;color:#fff;margin-right:.5rem}
header nav{display:flex;flex-wrap:wrap;gap:.25rem 1rem;flex:1}
header form{margin:0}
header button{background:none;border:1px solid #7d95ad;color:#d9e8ff;border-radius:4px;padding:.15rem .6rem;font:inherit;cursor:pointer}
main{max-width:1180px;margin:0 auto;padding:1rem}
h1{font-size:1.35rem;margin:.2rem 0 .8rem}
h2{font-size:1.1rem;margin:1.4rem 0 .5rem}
p.note,.note{color:var(--muted);font-size:.88rem}
code,.mono{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,monospace;font-size:.86em;overflow-wrap:anywhere}
table{border-collapse:collapse;width:100%;margin:.4rem 0}
th,td{text-align:left;vertical-align:top;padding:.4rem .5rem;border-bottom:1px solid var(--line)}
th{font-size:.8rem;text-transform:uppercase;letter-spacing:.03em;color:var(--muted);background:var(--bg)}
tr.invalid td{background:var(--bad-bg)}
.bad{color:var(--bad);font-weight:600}
.good{color:var(--good);font-weight:600}
.warn{color:var(--warn)}
.muted{color:var(--muted)}
.tag{display:inline-block;padding:0 .4rem;border-radius:3px;background:var(--bg);border:1px solid var(--line);font-size:.8rem}
.tag.bad{background:var(--bad-bg);border-color:#f3b6be}
.tag.good{background:var(--good-bg);border-color:#a8dab5}
ul.plain{list-style:none;margin:0;padding:0}
dl.fields{margin:0;display:grid;grid-template-columns:max-content 1fr;gap:0 .6rem;font-size:.88rem}
dl.fields dt{color:var(--muted)}
dl.fields dd{margin:0;overflow-wrap:anywhere}
form.inline{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end;margin:.4rem 0 1rem}
label{display:flex;flex-direction:column;font-size:.85rem;color:var(--muted);gap:.2rem}
input[type=text],input[type=password],input[type=search]{font:inherit;padding:.4rem .5rem;border:1px solid #b8c1ca;border-radius:4px;min-width:14rem;max-width:100%}
button.primary{font:inherit;padding:.42rem .9rem;border-radius:4px;border:1px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(9.5rem,1fr));gap:.6rem;margin:.6rem 0}
.tile{border:1px solid var(--line);border-radius:6px;padding:.5rem .7rem;background:var(--bg)}
.tile b{display:block;font-size:1.3rem}
.tile span{font-size:.8rem;color:var(--muted)}
.banner{border-radius:6px;padding:.6rem .8rem;margin:.6rem 0;border:1px solid var(--line);background:var(--bg)}
.banner.bad{background:var(--bad-bg);border-color:#f3b6be;color:var(--bad)}
.banner.good{background:var(--good-bg);border-color:#a8dab5;color:var(--good)}
.chart{max-width:100%;height:auto;border:1px solid var(--line);border-radius:6px;background:#fff}
.legend{display:flex;flex-wrap:wrap;gap:.8rem;font-size:.82rem;color:var(--muted);margin:.2rem 0 .8rem}
.legend i{display:inline-block;width:.8rem;height:.8rem;border-radius:2px;margin-right:.3rem;vertical-align:-.1rem}
.pager{display:flex;gap:1rem;margin:.8rem 0}
.login{max-width:24rem;margin:3rem auto;padding:1.2rem;border:1px solid var(--line);border-radius:8px}
footer{max-width:1180px;margin:1rem auto 2rem;padding:0 1rem;color:var(--muted);font-size:.8rem}
@media (max-width:720px){
  main{padding:.6rem}
  header nav{order:3;flex-basis:100%}
  header form{margin-left:auto}
  table.cards td.empty{display:none}
  th,td{padding:.35rem .3rem}
  table.cards thead{display:none}
  table.cards tr{display:block;border:1px solid var(--line);border-radius:6px;margin:.5rem 0;padding:.2rem .4rem}
  table.cards td{display:block;border:0;padding:.25rem .2rem}
  table.cards td[data-label]::before{content:attr(data-label);display:block;font-size:.72rem;text-transform:uppercase;color:var(--muted)}
  input[type=text],input[type=password],input[type=search]{min-width:0;width:100%}
  form.inline label{flex:1 1 100%}
}
`;
