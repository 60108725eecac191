//! The report's one stylesheet, inlined in the page: a grid of cards on screen, one column on a
//! phone, two per A4 page in print. System fonts only, so nothing is fetched.

/// Status colours (ok, warn, fail, stale, no data) and good/bad deltas are CSS variables, used by the
/// page and by the inline SVG charts alike (they share the document's styles).
pub const CSS: &str = r#":root {
  --ink: #1d2530; --muted: #5f6b7a; --faint: #8a95a3; --line: #e3e7ec; --bg: #f4f6f9;
  --card: #ffffff; --accent: #2f6bd8; --target: #1d2530;
  --ok: #1b8a3f; --warn: #c47a00; --fail: #c62828; --stale: #6a3d9a; --none: #8a95a3;
  --good: #1b8a3f; --bad: #c62828;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--ink);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-variant-numeric: tabular-nums;
}
.page { max-width: 1200px; margin: 0 auto; padding: 28px 24px 40px; }
.masthead { border-bottom: 1px solid var(--line); padding-bottom: 18px; }
.kicker { margin: 0 0 4px; color: var(--muted); font-size: .78rem; font-weight: 600;
  text-transform: uppercase; letter-spacing: .08em; }
h1 { margin: 0; font-size: 1.75rem; line-height: 1.2; }
.lede { margin: 6px 0 0; color: var(--muted); max-width: 70ch; }
.facts { display: flex; flex-wrap: wrap; gap: 8px 32px; margin: 16px 0 0; }
.facts dt { color: var(--muted); font-size: .72rem; text-transform: uppercase; letter-spacing: .06em; }
.facts dd { margin: 0; font-weight: 600; }
.summary { display: flex; flex-wrap: wrap; gap: 8px; margin: 16px 0 0; padding: 0; list-style: none; }
.summary li { background: var(--card); border: 1px solid var(--line); border-radius: 999px;
  padding: 2px 12px 2px 10px; font-size: .85rem; }
.summary li::before { content: ""; display: inline-block; width: 8px; height: 8px; margin-right: 6px;
  border-radius: 50%; background: var(--none); vertical-align: 1px; }
.summary .ok::before { background: var(--ok); }
.summary .warn::before { background: var(--warn); }
.summary .fail::before { background: var(--fail); }
.summary .stale::before { background: var(--stale); }
.cards { display: grid; gap: 18px; margin: 22px 0 0; align-items: start;
  grid-template-columns: repeat(auto-fill, minmax(min(100%, 340px), 1fr)); }
.card { background: var(--card); border: 1px solid var(--line); border-top: 4px solid var(--none);
  border-radius: 10px; padding: 16px 18px; break-inside: avoid; page-break-inside: avoid;
  box-shadow: 0 1px 2px rgba(29, 37, 48, .05); min-width: 0; }
.card.ok { border-top-color: var(--ok); }
.card.warn { border-top-color: var(--warn); }
.card.fail { border-top-color: var(--fail); }
.card.stale { border-top-color: var(--stale); }
.card > * + * { margin-top: 12px; }
.card-head { display: flex; justify-content: space-between; align-items: flex-start; gap: 10px; }
.card h2 { margin: 0; font-size: 1.08rem; line-height: 1.3; }
.badge { flex: none; border-radius: 999px; padding: 1px 9px; color: #fff; background: var(--none);
  font-size: .7rem; font-weight: 700; text-transform: uppercase; letter-spacing: .06em; }
.badge.ok { background: var(--ok); }
.badge.warn { background: var(--warn); }
.badge.fail { background: var(--fail); }
.badge.stale { background: var(--stale); }
.description, .period, .previous, figcaption, .notes, .muted { color: var(--muted); font-size: .82rem; }
.description { margin-top: 4px; }
.period { margin-bottom: 0; }
p { margin: 0; }
.figure { display: flex; flex-wrap: wrap; align-items: baseline; gap: 2px 12px; }
.value { font-size: 2.1rem; font-weight: 700; line-height: 1.1; letter-spacing: -.01em; }
.delta { font-weight: 600; white-space: nowrap; }
.delta.good { color: var(--good); }
.delta.bad { color: var(--bad); }
.delta.flat { color: var(--muted); }
.previous { flex-basis: 100%; }
.notes { margin: 0; padding-left: 18px; }
.target-text strong { color: var(--ink); }
.on { color: var(--good); font-weight: 600; }
.off { color: var(--warn); font-weight: 600; }
figure { margin: 0; }
figcaption { margin-top: 2px; }
h3 { margin: 0 0 4px; font-size: .78rem; color: var(--muted); font-weight: 600;
  text-transform: uppercase; letter-spacing: .06em; }
svg { display: block; width: 100%; max-width: 100%; height: auto; overflow: visible; }
svg text { font-size: 11px; fill: var(--muted); }
svg .axis { stroke: var(--line); stroke-width: 1; }
svg .line { fill: none; stroke: var(--accent); stroke-width: 2; stroke-linejoin: round; stroke-linecap: round; }
svg .dot { fill: var(--accent); }
svg .last { fill: var(--accent); stroke: var(--card); stroke-width: 2; }
svg .target { stroke: var(--target); stroke-width: 1.2; stroke-dasharray: 5 4; }
svg text.target-label { fill: var(--ink); font-weight: 600; paint-order: stroke;
  stroke: var(--card); stroke-width: 3px; stroke-linejoin: round; }
svg .track { fill: var(--line); }
svg .fill { fill: var(--accent); }
svg .fill.reached { fill: var(--ok); }
svg .fill.off { fill: var(--warn); }
svg text.figure-label { fill: var(--ink); font-weight: 600; }
svg .bar { fill: var(--accent); }
svg .bar.warn { fill: var(--warn); }
svg .bar.fail { fill: var(--fail); }
svg .bar.stale { fill: var(--stale); }
svg .zero { stroke: var(--faint); stroke-width: 1; }
svg .tick { stroke: var(--faint); stroke-width: 1; }
svg text.period { font-size: 10px; fill: var(--faint); }
svg text.bar-label { fill: var(--ink); }
.more { margin-top: 2px; }
.bar-legend { margin-top: 6px; font-size: .76rem; }
.bar-legend code { font-size: .95em; color: var(--ink); overflow-wrap: anywhere; }
.key { display: inline-block; width: 9px; height: 9px; margin: 0 4px 0 2px; border-radius: 2px;
  vertical-align: -1px; background: var(--none); }
.key.warn { background: var(--warn); }
.key.fail { background: var(--fail); }
.key.stale { background: var(--stale); }
.people { display: grid; grid-template-columns: auto 1fr; gap: 3px 12px; margin-bottom: 0;
  padding-top: 10px; border-top: 1px solid var(--line); font-size: .85rem; }
.people dt { color: var(--muted); }
.people dd { margin: 0; }
.legend { margin: 28px 0 0; color: var(--muted); font-size: .78rem; }
@media (max-width: 600px) {
  body { font-size: 14px; }
  .page { padding: 16px 12px 28px; }
  h1 { font-size: 1.35rem; }
  .facts { gap: 6px 20px; }
  .card { padding: 14px; }
  .value { font-size: 1.8rem; }
}
@page { size: A4; margin: 12mm; }
@media print {
  body { background: #fff; font-size: 9pt; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .page { max-width: none; padding: 0; }
  .masthead { padding-bottom: 10px; break-after: avoid; }
  .cards { display: block; column-count: 2; column-gap: 10px; margin-top: 12px; }
  .card { margin: 0 0 10px; padding: 10px 12px; box-shadow: none; border-color: #cfd5dc; }
  .card > * + * { margin-top: 8px; }
  .card { break-inside: avoid; }
  .card.long { break-inside: auto; }
  .card.long > * { break-inside: avoid; }
  /* A long card breaks between its breakdowns, never between its head, figure and trend. */
  .card.long > :not(.breakdown):not(.people), .card.long h3 { break-after: avoid; }
  .value { font-size: 1.7rem; }
  .summary li { border-color: #cfd5dc; }
  .legend { margin-top: 8px; break-inside: avoid; }
}
"#;
