import Vapor

/// The one stylesheet, served by Yixian itself (no CDN). Phone first; wide tables scroll.
enum Stylesheet {
    static let css = """
    :root { --blue:#1677ff; --green:#389e0d; --orange:#d46b08; --red:#cf1322; --grey:#595959; --line:#e5e6eb; --bg:#f5f6f8; }
    * { box-sizing: border-box; }
    body { margin:0; font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC","Noto Sans SC",sans-serif; color:#1f1f1f; background:var(--bg); font-size:16px; line-height:1.6; }
    a { color:var(--blue); }
    .topbar { display:flex; justify-content:space-between; align-items:center; gap:12px; flex-wrap:wrap; background:#003a8c; color:#fff; padding:10px 16px; }
    .topbar a, .topbar .link { color:#fff; }
    .brand { font-weight:bold; text-decoration:none; font-size:18px; }
    .topbar-right { display:flex; gap:12px; align-items:center; flex-wrap:wrap; }
    .topbar .bell { background:#fff; color:#003a8c; border-radius:12px; padding:1px 10px; font-weight:600; text-decoration:none; }
    .prewrap { white-space:pre-wrap; overflow-wrap:anywhere; }
    .chart { width:100%; max-width:640px; height:auto; }
    .shell { display:flex; min-height:calc(100vh - 52px); }
    .sidenav { width:180px; background:#fff; border-right:1px solid var(--line); padding:8px 0; flex-shrink:0; }
    .sidenav ul { list-style:none; margin:0; padding:0; }
    .sidenav a { display:block; padding:10px 20px; text-decoration:none; color:#1f1f1f; }
    .sidenav a.active { background:#e6f4ff; color:var(--blue); border-right:3px solid var(--blue); }
    main { flex:1; padding:16px 24px; min-width:0; }
    h1 { font-size:24px; margin:8px 0 16px; }
    h2 { font-size:19px; margin:20px 0 10px; }
    .breadcrumbs { font-size:14px; color:var(--grey); margin-bottom:4px; }
    .breadcrumbs > * + *::before { content:" / "; color:#bbb; }
    .cards { display:grid; grid-template-columns:repeat(auto-fill,minmax(170px,1fr)); gap:12px; margin-bottom:16px; }
    .card { background:#fff; border:1px solid var(--line); border-radius:8px; padding:14px 16px; }
    .card .num { font-size:28px; font-weight:bold; }
    .card .label { color:var(--grey); font-size:14px; }
    .panel { background:#fff; border:1px solid var(--line); border-radius:8px; padding:16px; margin-bottom:16px; }
    .toolbar { display:flex; flex-wrap:wrap; gap:8px; align-items:flex-end; margin-bottom:12px; }
    .toolbar label { display:flex; flex-direction:column; font-size:14px; color:var(--grey); }
    input, select, textarea { font:inherit; padding:8px 10px; border:1px solid #bfbfbf; border-radius:6px; min-height:40px; background:#fff; }
    input:focus, select:focus, textarea:focus, button:focus, a:focus { outline:3px solid #ffbf47; outline-offset:0; }
    button, .button { font:inherit; padding:8px 16px; min-height:40px; border-radius:6px; border:1px solid var(--blue); background:var(--blue); color:#fff; cursor:pointer; text-decoration:none; display:inline-block; }
    button.secondary, .button.secondary { background:#fff; color:var(--blue); }
    button.danger { background:var(--red); border-color:var(--red); }
    button.link { background:none; border:none; padding:0; min-height:0; text-decoration:underline; }
    form.inline { display:inline; }
    .table-wrap { overflow-x:auto; background:#fff; border:1px solid var(--line); border-radius:8px; }
    .table-export { display:flex; justify-content:flex-end; gap:12px; font-size:13px; margin:4px 0; }
    table { border-collapse:collapse; width:100%; }
    th, td { text-align:left; padding:8px 12px; border-bottom:1px solid var(--line); vertical-align:top; }
    th { white-space:nowrap; }
    td { overflow-wrap:anywhere; min-width:4em; }
    th { background:#fafafa; position:sticky; top:0; font-weight:600; }
    tr:hover td { background:#f0f7ff; }
    .tag { display:inline-block; padding:0 8px; border-radius:4px; font-size:13px; border:1px solid; }
    .tag.green { color:var(--green); border-color:#b7eb8f; background:#f6ffed; }
    .tag.blue { color:var(--blue); border-color:#91caff; background:#e6f4ff; }
    .tag.orange { color:var(--orange); border-color:#ffd591; background:#fff7e6; }
    .tag.red { color:var(--red); border-color:#ffa39e; background:#fff1f0; }
    .tag.grey { color:var(--grey); border-color:#d9d9d9; background:#fafafa; }
    .pager { display:flex; gap:12px; align-items:center; margin:12px 0; flex-wrap:wrap; }
    .error-summary { border:3px solid var(--red); background:#fff; padding:12px 16px; margin-bottom:16px; border-radius:6px; }
    .error-summary h2 { margin-top:0; color:var(--red); }
    .field { margin-bottom:16px; display:flex; flex-direction:column; max-width:480px; }
    .field label { font-weight:600; margin-bottom:4px; }
    .field .hint { color:var(--grey); font-size:14px; }
    .field .field-error { color:var(--red); font-weight:600; }
    .field.has-error input { border:2px solid var(--red); }
    .login { max-width:420px; margin:40px auto; }
    .empty { padding:24px; text-align:center; color:var(--grey); }
    .muted { color:var(--grey); font-size:14px; }
    dl.props { display:grid; grid-template-columns:max-content 1fr; gap:6px 16px; margin:0; }
    dl.props dt { color:var(--grey); }
    dl.props dd { margin:0; }
    .progress { background:#eee; border-radius:4px; height:12px; overflow:hidden; max-width:480px; }
    .progress > span { display:block; height:100%; background:var(--blue); }
    .quick { display:flex; flex-wrap:wrap; gap:10px; margin-bottom:16px; }
    .quick-button { min-height:56px; padding:14px 18px; font-size:17px; flex:1 1 160px; text-align:center; }
    .field .legend { font-weight:600; margin-bottom:4px; }
    .checks { display:flex; flex-direction:column; gap:6px; max-height:260px; overflow-y:auto; }
    label.check { display:flex; align-items:center; gap:6px; min-height:40px; font-weight:normal; }
    label.check input { width:22px; height:22px; min-height:0; }
    textarea { width:100%; }
    .confirm-code .code { font-size:40px; letter-spacing:6px; font-family:monospace; font-weight:bold; margin:8px 0; }
    .thumbs { display:flex; flex-wrap:wrap; gap:8px; }
    .thumbs img { width:120px; height:120px; object-fit:cover; border-radius:6px; border:1px solid var(--line); }
    table.heat td { text-align:center; }
    .heat-none { color:#bbb; }
    .heat-0 { background:#ffccc7; }
    .heat-1 { background:#ffe7ba; }
    .heat-2 { background:#fff1b8; }
    .heat-3 { background:#d9f7be; }
    .heat-4 { background:#95de64; }
    progress { width:100%; max-width:480px; height:16px; }
    .qr svg { width:220px; height:220px; }
    .panel.success { border-color:#b7eb8f; background:#f6ffed; }
    button.big { font-size:20px; padding:16px 24px; width:100%; max-width:480px; }
    pre.explain { white-space:pre-wrap; font-family:inherit; }
    @media (max-width: 720px) {
      th, td { padding:6px 6px; font-size:14px; }
      th { white-space:normal; }
      .shell { flex-direction:column; }
      .sidenav { width:auto; border-right:none; border-bottom:1px solid var(--line); }
      /* Every menu entry visible: the menu wraps instead of hiding entries off-screen. */
      .sidenav ul { display:flex; flex-wrap:wrap; }
      .sidenav a { padding:8px 10px; white-space:nowrap; font-size:15px; }
      .sidenav a.active { border-right:none; border-bottom:3px solid var(--blue); }
      main { padding:12px; }
      button, .button, input, select { min-height:44px; }
      table.matrix { width:max-content; min-width:100%; }
      table.matrix th { min-width:6.5em; }
      table.matrix td:first-child, table.matrix th:first-child { position:sticky; left:0; background:#fff; min-width:5em; z-index:1; }
    }
    @media (max-width: 480px) {
      .cards { grid-template-columns:repeat(2, 1fr); gap:8px; }
      .card { padding:8px 12px; }
      .card .num { font-size:22px; }
      table.stack thead { display:none; }
      table.stack tr { display:block; border-bottom:1px solid var(--line); padding:6px 0; }
      table.stack td { display:block; border:none; padding:2px 10px; min-width:0; }
      table.stack td:first-child { font-weight:600; }
    }
    .print-page { background:#fff; }
    .a4 { max-width:210mm; margin:0 auto; padding:20mm 18mm; font-family:"FangSong","STFangsong","仿宋","Noto Serif CJK SC",serif; font-size:16pt; }
    .doc-title { font-family:"方正小标宋简体","SimHei","黑体","Noto Sans CJK SC",sans-serif; text-align:center; font-size:20pt; font-weight:bold; margin:0 0 12mm; }
    .doc-table { border-collapse:collapse; width:100%; font-size:12pt; }
    .doc-table th, .doc-table td { border:1px solid #000; padding:4px 6px; white-space:normal; }
    .doc-table th { font-family:"SimHei","黑体","Noto Sans CJK SC",sans-serif; background:none; position:static; }
    @page { size:A4; margin:20mm 18mm; @bottom-center { content: "— " counter(page) " —"; } }
    .doc-subtitle { text-align:center; font-family:"KaiTi","楷体","Noto Serif CJK SC",serif; margin:-8mm 0 8mm; }
    .doc-heading { font-family:"SimHei","黑体","Noto Sans CJK SC",sans-serif; font-size:16pt; font-weight:normal; margin:6mm 0 2mm; }
    .doc-para { text-indent:2em; line-height:1.75; margin:0 0 3mm; }
    .dossier .doc-table { margin:0 0 4mm; }
    .narrative[contenteditable] { outline:1px dashed #bbb; outline-offset:2px; }
    .doc-toolbar { display:flex; flex-wrap:wrap; gap:8px 12px; align-items:center; max-width:210mm; margin:0 auto; padding:8px 18mm; font-size:14px; }
    @media print { .no-print { display:none !important; } .narrative[contenteditable] { outline:none; } }
    .slips { display:grid; grid-template-columns:repeat(auto-fill, minmax(19rem, 1fr)); gap:.5rem; }
    .slip { display:flex; gap:.5rem; justify-content:space-between; border:1px dashed #8a8a8a; padding:.6rem .8rem; break-inside:avoid; }
    .slip h3 { margin:0 0 .2rem; font-size:1rem; } .slip p { margin:.15rem 0; }
    .slip .code { font-family:ui-monospace, monospace; font-size:1.25rem; letter-spacing:.08em; }
    @media print { .topbar, .sidenav, .toolbar, .pager, .no-print { display:none; } body { background:#fff; } .slips { grid-template-columns:1fr 1fr; } }
    """
}
