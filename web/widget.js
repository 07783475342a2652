/* faqbot chat widget. One tag embeds it:
 *   <script src="https://faqbot.example/widget.js" data-api="https://faqbot.example"
 *           data-position="right" data-color="#0f5b66" data-text-color="#ffffff"
 *           data-greeting="Hi!" data-lang="th" async defer></script>
 * Every data-* option is optional: data-api defaults to the origin the script came from, colours
 * are adjusted to keep 4.5:1 contrast, data-poll-seconds (default 4) paces agent-reply polling.
 * Plain JavaScript, no build step. Everything lives in a shadow root so the host page's CSS cannot
 * reach it, and server text only ever reaches the page through textContent, never parsed as HTML.
 */
(function () {
  "use strict";
  if (document.querySelector("faqbot-widget")) return; // the tag was pasted twice

  var script = document.currentScript ||
    Array.prototype.slice.call(document.querySelectorAll("script[src*='widget.js']")).pop();
  if (!script) return;

  var WHITE = [255, 255, 255];
  var BLACK = [0, 0, 0];
  var BUBBLE = [241, 243, 246]; // the bot bubble, #f1f3f6: links inside it must stay readable
  var DEFAULT_COLOR = "#0f5b66";
  var MIN_CONTRAST = 4.5;

  // ---- options ------------------------------------------------------------------------------
  function readOptions(el) {
    var d = el.dataset;
    var api = (d.api || new URL(el.src, location.href).origin).replace(/\/+$/, "");
    var poll = Number(d.pollSeconds);
    return {
      api: api,
      position: d.position === "left" ? "left" : "right",
      color: d.color || "",
      textColor: d.textColor || "",
      greeting: d.greeting || "",
      lang: d.lang || "",
      pollMs: (poll >= 1 && poll <= 300 ? poll : 4) * 1000
    };
  }

  // ---- colour (WCAG 2.1 relative luminance and contrast ratio) ---------------------------------
  function parseHex(text) {
    var m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(String(text || "").trim());
    if (!m) return null;
    var h = m[1].length === 3 ? m[1].replace(/./g, "$&$&") : m[1];
    return [0, 2, 4].map(function (i) { return parseInt(h.substr(i, 2), 16); });
  }

  function toHex(rgb) {
    return "#" + rgb.map(function (c) { return (256 | Math.round(c)).toString(16).slice(1); }).join("");
  }

  function luminance(rgb) {
    var c = rgb.map(function (v) {
      v /= 255;
      return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  }

  function contrast(a, b) {
    var x = luminance(a), y = luminance(b);
    return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
  }

  function mix(rgb, to, t) {
    return rgb.map(function (c, i) { return c + (to[i] - c) * t; });
  }

  /** Primary, text-on-primary and accent (primary readable on white) colours, each pair ≥ 4.5:1.
   * A text colour that fails is replaced by white or black (one of them always passes); a colour
   * that is not #rgb/#rrggbb is refused. */
  function theme(opts) {
    var primary = parseHex(opts.color);
    if (opts.color && !primary) console.warn("faqbot: data-color must be #rgb or #rrggbb; using the default");
    primary = primary || parseHex(DEFAULT_COLOR);
    var text = parseHex(opts.textColor);
    if (!text || contrast(primary, text) < MIN_CONTRAST) {
      if (opts.textColor) console.warn("faqbot: data-text-color has too little contrast with data-color; adjusted");
      text = contrast(primary, WHITE) >= contrast(primary, BLACK) ? WHITE : BLACK;
    }
    var accent = primary;
    for (var t = 0.05; t <= 1 && (contrast(accent, WHITE) < MIN_CONTRAST ||
                                  contrast(accent, BUBBLE) < MIN_CONTRAST); t += 0.05) {
      accent = mix(primary, BLACK, t);
    }
    return { primary: toHex(primary), onPrimary: toHex(text), accent: toHex(accent) };
  }

  // ---- languages -------------------------------------------------------------------------------
  /** The best of `available` for a BCP 47 tag like "th-TH", "zh-Hant-HK" or "zh", else null. */
  function matchLang(wanted, available) {
    var w = String(wanted || "").replace(/_/g, "-").toLowerCase();
    if (!w) return null;
    var exact = available.filter(function (a) { return a.toLowerCase() === w; })[0];
    if (exact) return exact;
    var base = w.split("-")[0];
    if (base === "zh") {
      var zh = /-(hant|tw|hk|mo)\b/.test(w) ? "zh-tw" : "zh-cn";
      return available.filter(function (a) { return a.toLowerCase() === zh; })[0] || null;
    }
    return available.filter(function (a) { return a.toLowerCase() === base; })[0] ||
      available.filter(function (a) { return a.split("-")[0].toLowerCase() === base; })[0] || null;
  }

  // ---- DOM helpers (the only way nodes are made: attributes from code, text via textContent) --
  function h(tag, attrs) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === "text") el.textContent = v;
      else if (k === "class") el.className = v;
      else if (k.slice(0, 2) === "on") el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? "" : String(v));
    });
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined || c === false) continue;
      el.append(typeof c === "string" ? document.createTextNode(c) : c);
    }
    return el;
  }

  function svg(path) {
    var ns = "http://www.w3.org/2000/svg";
    var s = document.createElementNS(ns, "svg");
    s.setAttribute("viewBox", "0 0 24 24");
    s.setAttribute("aria-hidden", "true");
    s.setAttribute("focusable", "false");
    var p = document.createElementNS(ns, "path");
    p.setAttribute("d", path);
    s.append(p);
    return s;
  }

  var ICON_CHAT = "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z";
  var ICON_CLOSE = "M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12l5.6 5.6-1.4 1.4-5.6-5.6L6.4 19 5 17.6 10.6 12 5 6.4z";
  var ICON_SEND = "M3 20.5 21 12 3 3.5 3 10l12 2-12 2z";

  /** A link only for http(s) and mailto targets; anything else (javascript:, data:, relative) is
   * returned as plain text. */
  function safeHref(raw) {
    var url;
    try { url = new URL(String(raw)); } catch (e) { return null; }
    return /^(https?|mailto):$/.test(url.protocol) ? url.href : null;
  }

  function link(href, text) {
    var safe = safeHref(href);
    if (!safe) return document.createTextNode(text);
    return h("a", { href: safe, target: "_blank", rel: "noopener noreferrer" }, text);
  }

  // ---- Markdown (a safe subset: paragraphs, headings, lists, code, bold/italic, links) ----------
  var INLINE = new RegExp([
    "`([^`\\n]+)`",                                              // 1 inline code
    "\\[([^\\]\\n]+)\\]\\(\\s*<?([^()\\s<>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)", // 2,3 [text](url "t")
    "<((?:https?://|mailto:)[^>\\s]+)>",                         // 4 <autolink>
    "\\*\\*(?=\\S)([\\s\\S]*?\\S)\\*\\*",                        // 5 **bold**
    "(?<![\\w])__(?=\\S)([\\s\\S]*?\\S)__(?![\\w])",             // 6 __bold__
    "\\*(?=[^\\s*])([\\s\\S]*?[^\\s*])\\*",                      // 7 *italic*
    "(?<![\\w])_(?=\\S)([\\s\\S]*?\\S)_(?![\\w])",               // 8 _italic_
    "(https?://[^\\s<>()]*[^\\s<>().,;:!?'\"，。、）])"           // 9 bare URL
  ].join("|"));

  function inline(text, parent) {
    var rest = text;
    while (rest) {
      var m = INLINE.exec(rest);
      if (!m) { parent.append(document.createTextNode(rest)); break; }
      if (m.index) parent.append(document.createTextNode(rest.slice(0, m.index)));
      if (m[1] !== undefined) parent.append(h("code", { text: m[1] }));
      else if (m[2] !== undefined) {
        var a = link(m[3], "");
        if (a.nodeType === 1) inline(m[2], a); else a.textContent = m[2];
        parent.append(a);
      } else if (m[4] !== undefined) parent.append(link(m[4], m[4].replace(/^mailto:/, "")));
      else if (m[5] !== undefined || m[6] !== undefined) {
        var b = h("strong");
        inline(m[5] !== undefined ? m[5] : m[6], b);
        parent.append(b);
      } else if (m[7] !== undefined || m[8] !== undefined) {
        var i = h("em");
        inline(m[7] !== undefined ? m[7] : m[8], i);
        parent.append(i);
      } else parent.append(link(m[9], m[9]));
      rest = rest.slice(m.index + m[0].length);
    }
    return parent;
  }

  /** Markdown → DOM nodes. `top` is the HTML level the body's biggest heading becomes. */
  function markdown(md, top) {
    var out = document.createDocumentFragment();
    var lines = String(md || "").replace(/\r\n?/g, "\n").split("\n");
    var levels = lines.map(function (l) { var m = /^(#{1,6})\s/.exec(l); return m ? m[1].length : 7; });
    var shift = top - Math.min.apply(null, levels);
    var para = [], lists = [], quote = false; // lists: open (nested) lists, [{indent, el}]
    function flush() {
      if (para.length) out.append(inline(para.join("\n"), h(quote ? "blockquote" : "p")));
      para = []; lists = []; quote = false;
    }
    function item(indent, tag, start, text) {
      if (para.length) flush();
      while (lists.length && indent < lists[lists.length - 1].indent) lists.pop();
      var last = lists[lists.length - 1];
      if (last && indent === last.indent && last.el.tagName.toLowerCase() !== tag) { lists.pop(); last = lists[lists.length - 1]; }
      if (!last || indent > last.indent || last.el.tagName.toLowerCase() !== tag) {
        var el = h(tag, tag === "ol" && start !== 1 ? { start: start } : null);
        (last ? last.el.lastChild : out).append(el);
        lists.push({ indent: indent, el: el });
      }
      lists[lists.length - 1].el.append(inline(text, h("li")));
    }
    for (var i = 0; i < lines.length; i++) {
      var line = lines[i], m;
      if (/^\s*(```|~~~)/.test(line)) {
        flush();
        var fence = line.trim().slice(0, 3), code = [];
        while (++i < lines.length && lines[i].trim().slice(0, 3) !== fence) code.push(lines[i]);
        out.append(h("pre", null, h("code", { text: code.join("\n") })));
      } else if (!line.trim()) {
        flush();
      } else if ((m = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line))) {
        flush();
        out.append(inline(m[2], h("h" + Math.min(6, m[1].length + shift))));
      } else if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) {
        flush();
        out.append(h("hr"));
      } else if ((m = /^(\s*)(?:([-*+])|(\d{1,9})[.)])\s+(.*)$/.exec(line))) {
        item(m[1].length, m[2] ? "ul" : "ol", Number(m[3]), m[4]);
      } else if (lists.length && /^\s{2,}\S/.test(line)) {
        inline(" " + line.trim(), lists[lists.length - 1].el.lastChild); // the item goes on
      } else {
        if (lists.length) flush();
        m = /^\s*>\s?(.*)$/.exec(line);
        if (m) { if (!quote && para.length) flush(); quote = true; line = m[1]; }
        para.push(line);
      }
    }
    flush();
    return out;
  }

  // ---- HTTP --------------------------------------------------------------------------------------
  // `token`: the session's, proving to the server that the conversation is this visitor's.
  function api(base, method, path, body, token) {
    var init = { method: method, credentials: "omit", headers: {} };
    if (token) init.headers["X-Session-Token"] = token;
    if (body !== undefined && body !== null) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(base + path, init).then(function (res) {
      return res.json().catch(function () { return null; }).then(function (data) {
        if (res.ok) return data;
        var err = new Error((data && data.error && data.error.message) || "HTTP " + res.status);
        err.status = res.status;
        throw err;
      });
    });
  }

  function store(key, value) {
    try {
      if (value === undefined) return JSON.parse(localStorage.getItem(key) || "null");
      if (value === null) localStorage.removeItem(key); else localStorage.setItem(key, JSON.stringify(value));
    } catch (e) { /* storage disabled (privacy mode): the chat simply does not survive a reload */ }
    return null;
  }

  // SIDE becomes "right" or "left" (data-position). Sizes are px, never rem: rem would follow the
  // host page's root font size.
  var CSS = `
:host{all:initial!important;display:contents!important}
*,*::before,*::after{box-sizing:border-box}
[hidden]{display:none!important}
.launcher,.panel{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif;color:#1b1f24;text-align:start}
:lang(th){font-family:system-ui,"Noto Sans Thai","Leelawadee UI",Thonburi,Tahoma,sans-serif}
:lang(zh-TW){font-family:system-ui,"PingFang TC","Microsoft JhengHei","Noto Sans CJK TC",sans-serif}
:lang(zh-CN){font-family:system-ui,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif}
:lang(ar){font-family:system-ui,"Noto Sans Arabic","Segoe UI",Tahoma,sans-serif}
:lang(he){font-family:system-ui,"Noto Sans Hebrew","Segoe UI",Arial,sans-serif}
.sr{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
button{font:inherit;margin:0}
.launcher{position:fixed;bottom:20px;SIDE:20px;z-index:2147483000;width:60px;height:60px;padding:0;border:0;border-radius:50%;background:var(--fb-p);color:var(--fb-op);box-shadow:0 6px 20px rgba(0,0,0,.28);cursor:pointer;display:flex;align-items:center;justify-content:center;transition:transform .15s}
.launcher:hover{transform:scale(1.06)}
.launcher svg{width:28px;height:28px;fill:currentColor}
.badge{position:absolute;top:2px;right:2px;width:16px;height:16px;border-radius:50%;background:#c62828;border:2px solid #fff}
.panel{position:fixed;bottom:92px;SIDE:20px;z-index:2147483001;width:384px;max-width:calc(100vw - 40px);height:640px;max-height:calc(100vh - 112px);display:flex;flex-direction:column;background:#fff;border-radius:16px;box-shadow:0 16px 48px rgba(0,0,0,.28);overflow:hidden;animation:fb-in .18s ease-out}
@keyframes fb-in{from{opacity:0;transform:translateY(12px)}}
.head{flex:none;display:flex;align-items:center;gap:8px;padding:12px;padding-inline-start:18px;background:var(--fb-p);color:var(--fb-op)}
h2{margin:0;flex:1;font-size:17px;font-weight:600}
.icon{flex:none;width:38px;height:38px;padding:0;border:0;border-radius:50%;background:transparent;color:inherit;display:flex;align-items:center;justify-content:center;cursor:pointer}
.icon:hover{background:color-mix(in srgb,currentColor 16%,transparent)}
.icon svg{width:22px;height:22px;fill:currentColor}
.view{flex:1;display:flex;flex-direction:column;min-height:0}
.log{position:relative;flex:1;overflow-y:auto;overflow-x:hidden;padding:16px;display:flex;flex-direction:column;gap:10px;overscroll-behavior:contain}
.msg{max-width:88%;padding:10px 14px;border-radius:16px;overflow-wrap:anywhere;word-break:normal}
.msg>*{margin:0}
.msg>*+*{margin-top:8px}
.msg>.sr+*{margin-top:0}
:lang(zh) .msg,.msg:lang(zh){line-break:strict}
.bot{align-self:flex-start;background:#f1f3f6;border-end-start-radius:4px}
.customer{align-self:flex-end;background:var(--fb-p);color:var(--fb-op);border-end-end-radius:4px;white-space:pre-wrap}
.agent{align-self:flex-start;background:#fff7e6;border:1px solid #d9a93a;border-end-start-radius:4px}
.agent p{white-space:pre-line}
.who{display:block;font-size:12px;font-weight:700;color:#5c4400}
.system{align-self:center;max-width:100%;padding:2px 8px;color:#4a5360;font-size:13px;text-align:center}
.error{color:#a30f0f}
.answer{max-width:100%;width:100%}
.answer h3{font-size:16px;line-height:1.35}
.body>*{margin:6px 0 0}
.body>:first-child{margin-top:0}
.body h4,.body h5,.body h6{font-size:15px;margin-top:12px}
.body ul,.body ol{padding-inline-start:22px}
.body li+li{margin-top:3px}
.body blockquote{padding-inline-start:10px;border-inline-start:3px solid #b7bec7}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em;background:#e2e6eb;border-radius:4px;padding:1px 4px}
pre{white-space:pre-wrap;background:#e2e6eb;padding:8px;border-radius:6px}
pre code{background:none;padding:0}
a{color:var(--fb-a);text-decoration:underline;text-underline-offset:2px}
.note{font-size:13px;color:#4a5360;font-style:italic}
.more{font-weight:600}
.fb{display:flex;flex-wrap:wrap;align-items:center;gap:6px;padding-top:8px;border-top:1px solid #d5dae0;font-size:14px}
.fb>span{margin-inline-end:4px}
.chips{display:flex;flex-wrap:wrap;gap:6px}
.chip{font-size:14px;line-height:1.3;text-align:start;color:var(--fb-a);background:#fff;border:1.5px solid var(--fb-a);border-radius:18px;padding:7px 12px;cursor:pointer}
.chip:hover{background:var(--fb-a);color:#fff}
.chip.small{padding:3px 14px}
.chip.none{color:#4a5360;border-color:#6b7480}
.answer h3 .title{font:inherit;font-weight:600;color:inherit;background:none;border:0;padding:0;text-align:start;cursor:pointer;text-decoration:underline;text-decoration-color:#b7bec7;text-underline-offset:3px}
.more{font-weight:600}
.article-view{overflow-y:auto;padding:16px}
.article h3{font-size:17px;margin:12px 0 8px}
.back{align-self:flex-start}
.inline{display:flex;gap:6px;margin-top:8px}
.inline input{flex:1}
.dots{display:inline-flex;gap:5px;padding:6px 2px}
.dots i{width:8px;height:8px;border-radius:50%;background:#5b6470;animation:fb-dot 1.2s infinite ease-in-out}
.dots i:nth-child(2){animation-delay:.15s}
.dots i:nth-child(3){animation-delay:.3s}
@keyframes fb-dot{0%,80%,100%{opacity:.35;transform:none}40%{opacity:1;transform:translateY(-4px)}}
.composer{flex:none;display:flex;gap:8px;padding:12px 12px 6px;border-top:1px solid #d5dae0}
input,textarea{font:inherit;color:#1b1f24;background:#fff;border:1.5px solid #6b7480;border-radius:10px;padding:9px 12px;margin:0;min-width:0;width:100%}
textarea{resize:vertical}
.composer input{flex:1}
.send{flex:none;width:42px;height:42px;padding:0;border:0;border-radius:50%;background:var(--fb-p);color:var(--fb-op);display:flex;align-items:center;justify-content:center;cursor:pointer}
.send svg{width:20px;height:20px;fill:currentColor}
[dir=rtl] .send svg{transform:scaleX(-1)}
.foot{flex:none;display:flex;justify-content:center;padding:0 12px 8px}
.linkbtn{font-size:14px;color:var(--fb-a);background:none;border:0;text-decoration:underline;text-underline-offset:2px;cursor:pointer;padding:6px 8px}
.handoff{flex:1;overflow-y:auto;padding:18px;display:flex;flex-direction:column;gap:14px}
.handoff h3{margin:0;font-size:17px}
.field{display:flex;flex-direction:column;gap:4px}
.field label{font-size:14px;font-weight:600}
.err{margin:0;color:#a30f0f;font-size:13px}
.err:empty{display:none}
.row{display:flex;gap:8px;flex-wrap:wrap}
.primary,.secondary{border-radius:10px;padding:9px 18px;cursor:pointer}
.primary{background:var(--fb-p);color:var(--fb-op);border:1.5px solid var(--fb-p)}
.secondary{background:#fff;color:#1b1f24;border:1.5px solid #6b7480}
:focus:not(:focus-visible){outline:none}
:focus-visible{outline:3px solid #1b1f24;outline-offset:2px}
.head :focus-visible{outline-color:var(--fb-op);outline-offset:-3px}
.launcher:focus-visible{outline-offset:3px;box-shadow:0 0 0 3px #fff}
input:focus-visible,textarea:focus-visible{outline:2px solid var(--fb-a);outline-offset:1px;border-color:var(--fb-a)}
@media (max-width:480px),(max-height:520px){
.panel{inset:0;width:auto;height:auto;max-width:none;max-height:none;border-radius:0}
:host([data-open]) .launcher{display:none}
.msg:not(.answer){max-width:92%}
}
@media (prefers-reduced-motion:reduce){*,*::before,*::after{animation:none!important;transition:none!important}}
`;

  // ---- the widget --------------------------------------------------------------------------------
  function Widget(opts, config) {
    var colors = theme(opts);
    var catalog = config.strings || {};
    var uiLangs = Object.keys(catalog);
    var rtl = config.rtl || [];
    var storageKey = "faqbot:" + opts.api;
    var saved = store(storageKey) || {};
    // A follow-up e-mail links back to the conversation (#faqbot-session=ID&faqbot-token=TOKEN, see
    // bot/followup.py): adopt it in this browser, open the chat, and take it out of the address bar.
    var linkId = /[#&]faqbot-session=([^&]+)/.exec(location.hash);
    var linkToken = /[#&]faqbot-token=([^&]+)/.exec(location.hash);
    var linked = !!(linkId && linkToken);
    if (linked) {
      saved = { id: decodeURIComponent(linkId[1]), token: decodeURIComponent(linkToken[1]), lang: saved.lang };
      try { history.replaceState(null, "", location.pathname + location.search); } catch (e) { /* keep it */ }
    }
    var lang = matchLang(opts.lang, uiLangs) ||
      matchLang(saved.id && saved.lang, uiLangs) ||
      (navigator.languages || [navigator.language]).map(function (l) {
        return matchLang(l, config.languages || []);
      }).filter(function (l) { return l && catalog[l]; })[0] ||
      matchLang(config.default_lang, uiLangs) || uiLangs[0] || "en";
    // A session saved before tokens existed cannot prove it is ours: it starts afresh.
    var sessionId = (saved.token && saved.id) || null;
    var sessionToken = sessionId ? saved.token : null;
    var state = "bot";
    var lastTurn = 0;
    var started = false; // greeting and history shown
    var busy = false;
    var pollTimer = null;
    var lastNotice = "";
    var choices = saved.choices || {}; // turn id → the choices it offered, clickable after a reload
    var csatAsked = !!saved.csat; // the 1-5 rating is asked once per conversation
    var answeredTurn = 0; // the latest answer's turn: what a rating rates
    var quiet = false; // while the transcript is restored: no re-announcing old messages
    var labels = []; // [element, attribute or "text", string key]: relabelled when the language changes

    function t(key, l) {
      var s = catalog[l || lang] || {};
      return s[key] || (catalog.en || {})[key] || key;
    }
    function label(el, attr, key) { labels.push([el, attr, key]); setLabel(el, attr, key); return el; }
    function setLabel(el, attr, key) {
      if (attr === "text") el.textContent = t(key); else el.setAttribute(attr, t(key));
    }

    var host = document.createElement("faqbot-widget");
    var root = host.attachShadow({ mode: "open" });
    var style = h("style", {
      // !important: `all` does not reset custom properties, and a host rule on the element would win.
      text: ":host{--fb-p:" + colors.primary + "!important;--fb-op:" + colors.onPrimary + "!important;--fb-a:" +
        colors.accent + "!important}" + CSS.replace(/\bSIDE\b/g, opts.position)
    });

    var launcher = h("button", { type: "button", class: "launcher", "aria-expanded": "false",
                                 "aria-controls": "fb-panel", "aria-haspopup": "dialog" }, svg(ICON_CHAT));
    label(launcher, "aria-label", "launcher_label");
    var badge = h("span", { class: "badge", hidden: true, "aria-hidden": "true" });
    launcher.append(badge);

    var title = label(h("h2", { id: "fb-title" }), "text", "title");
    var closeBtn = label(h("button", { type: "button", class: "icon close" }, svg(ICON_CLOSE)),
                         "aria-label", "close");
    var log = h("div", { class: "log" });
    var live = h("div", { class: "sr", "aria-live": "polite" });
    var input = label(h("input", { type: "text", id: "fb-input", maxlength: 1000, autocomplete: "off" }),
                      "placeholder", "placeholder");
    var inputLabel = label(h("label", { for: "fb-input", class: "sr" }), "text", "input_label");
    var send = h("button", { type: "submit", class: "send" }, svg(ICON_SEND));
    label(send, "aria-label", "send");
    var composer = h("form", { class: "composer", novalidate: true }, inputLabel, input, send);
    var personBtn = label(h("button", { type: "button", class: "linkbtn" }), "text", "talk_to_person");
    var chatView = h("div", { class: "view" }, log, composer, h("div", { class: "foot" }, personBtn));
    var formView = h("div", { class: "view", hidden: true });
    var articleView = h("div", { class: "view article-view", hidden: true });
    var panel = h("div", { class: "panel", id: "fb-panel", role: "dialog", "aria-modal": "true",
                           "aria-labelledby": "fb-title", hidden: true },
                  h("div", { class: "head" }, title, closeBtn), chatView, formView, articleView, live);
    root.append(style, launcher, panel);

    function setLang(next) {
      if (!catalog[next] || next === lang && started) return;
      lang = next;
      panel.setAttribute("lang", lang);
      panel.setAttribute("dir", dirOf(lang));
      launcher.setAttribute("lang", lang);
      labels.forEach(function (x) { setLabel(x[0], x[1], x[2]); });
      remember();
    }

    // Nothing is stored for visitors who never chat.
    function remember() {
      store(storageKey, sessionId ? { id: sessionId, token: sessionToken, lang: lang, choices: choices,
                                      csat: csatAsked } : null);
    }
    function forget() { sessionId = null; sessionToken = null; choices = {}; csatAsked = false; remember(); }

    // ---- messages ----
    function dirOf(l) { return rtl.indexOf(l) >= 0 ? "rtl" : "ltr"; }

    function scroll() { log.scrollTop = log.scrollHeight; }
    /** Scroll to the end, but keep the top of a long message in view: people read from its start. */
    function reveal(el) {
      if (el.offsetHeight > log.clientHeight - 24) log.scrollTop = el.offsetTop - 12; else scroll();
    }

    function announce(text) {
      if (quiet) return;
      live.append(h("p", { text: text }));
      while (live.childNodes.length > 3) live.firstChild.remove();
    }

    function bubble(role, msgLang, name) {
      var who = { customer: "you", agent: "agent" }[role] || "bot";
      // An agent's reply carries the name they chose to show customers ("Ann (Support agent)").
      var label = role === "agent" && name ? name + " (" + t(who) + ")" : t(who);
      var el = h("div", { class: "msg " + role, lang: msgLang || lang, dir: dirOf(msgLang || lang) },
                 h("span", { class: role === "agent" ? "who" : "sr", text: label + (role === "agent" ? "" : ": ") }));
      log.append(el);
      scroll();
      return el;
    }

    function say(role, text, msgLang, name) {
      var el = bubble(role, msgLang, name);
      // What customers type may be in any script: let the browser find its direction.
      el.append(role === "customer" ? h("p", { text: text, dir: "auto" }) : markdown(text, 3));
      if (role !== "customer") announce((role === "agent" && name ? name : t(role === "agent" ? "agent" : "bot")) + ": " + text);
      scroll();
      return el;
    }

    function chips(items, onPick, msgLang) {
      var box = h("div", { class: "chips" });
      items.slice().sort(function (a, b) { return (b.confidence || 0) - (a.confidence || 0); }).forEach(function (it) {
        box.append(h("button", { type: "button", class: "chip", lang: it.lang || msgLang || null, dir: "auto", text: it.title,
                                 onclick: function () { onPick(it); } }));
      });
      return box;
    }

    function personChip() {
      return h("button", { type: "button", class: "chip person", text: t("talk_to_person"), onclick: openForm });
    }

    /** A bot message with choices, sorted by confidence, "None of these" last; kept for reloads. */
    function choiceBubble(text, items, msgLang, turnId, withNone) {
      var el = say("bot", text, msgLang);
      var box = chips(items, function (s) { pick(s); }, msgLang);
      if (withNone) {
        box.append(h("button", { type: "button", class: "chip none", text: t("none_of_these"), onclick: noneOfThese }));
      }
      el.append(box);
      if (turnId && items.length) {
        choices[turnId] = { text: text, none: !!withNone, items: items.map(function (x) {
          return { article_id: x.article_id, title: x.title, lang: x.lang, confidence: x.confidence };
        }) };
        remember();
      }
      scroll(); // after the buttons exist, so all of them are in view
      return el;
    }

    /** The customer picked a choice: it is their turn, echoed as they would have typed it. */
    function pick(s) {
      if (busy) return;
      var echo = say("customer", s.title, s.lang);
      choose(s.article_id, echo);
    }

    function noneOfThese() {
      if (busy) return;
      say("customer", t("none_of_these"));
      var el = say("bot", t("rephrase"), lang);
      el.append(h("p", { class: "row" }, personChip()));
      scroll();
      input.focus();
    }

    /** The server's notice with its reply time restated in the browser's own time zone. */
    function localNotice(d) {
      var text = d.notice || "";
      var rt = d.reply_time;
      if (!rt || !rt.expected_reply_at || !rt.notice || text.indexOf(rt.notice) < 0) return text;
      var when;
      try {
        when = new Intl.DateTimeFormat(lang, { weekday: "long", month: "long", day: "numeric", hour: "2-digit",
                                               minute: "2-digit", timeZoneName: "short" })
          .format(new Date(rt.expected_reply_at));
      } catch (e) { return text; }
      return text.replace(rt.notice, t(rt.out_of_hours ? "out_of_hours" : "reply_by").replace("{when}", when));
    }

    /** Keep the customer's question in view: the answer below it is read from the question down. */
    function keepQuestion(q) {
      if (!q || !q.isConnected) return;
      var top = q.offsetTop - 8;
      if (log.scrollHeight - top > log.clientHeight) log.scrollTop = top; else scroll();
    }

    /** While a person owns the conversation, no button offers one: not the footer's, not an old offer's. */
    function syncPerson() {
      var handed = state === "handed_off";
      personBtn.hidden = handed;
      Array.prototype.forEach.call(log.querySelectorAll(".chip.person"), function (b) { b.hidden = handed; });
    }

    function askCsat() {
      if (csatAsked || !answeredTurn || !sessionId) return;
      csatAsked = true;
      remember();
      var turnId = answeredTurn;
      var el = say("bot", t("csat_q"), lang);
      el.classList.add("csat");
      var row = h("div", { class: "chips", role: "group" });
      [1, 2, 3, 4, 5].forEach(function (n) {
        row.append(h("button", { type: "button", class: "chip small", text: String(n), "aria-label": n + "/5",
                                 onclick: function () {
          api(opts.api, "POST", "/v1/feedback", { session_id: sessionId, turn_id: turnId, csat: n }, sessionToken)
            .then(function () { el.replaceChildren(h("p", { text: t("csat_thanks") })); announce(t("csat_thanks")); },
                  showError);
        } }));
      });
      row.append(h("button", { type: "button", class: "linkbtn", text: t("dismiss"),
                               onclick: function () { el.remove(); input.focus(); } }));
      el.append(row);
      scroll();
    }

    // ---- the whole article, inside the panel ----
    var articleBack = null;
    var chatScroll = 0;
    function openArticle(a, opener) {
      articleBack = opener || null;
      chatScroll = log.scrollTop;
      var back = h("button", { type: "button", class: "secondary back", text: t("back"), onclick: closeArticle });
      var href = safeHref(a.url);
      articleView.replaceChildren(h("div", { class: "article", lang: a.lang, dir: dirOf(a.lang) },
        back, h("h3", { text: a.title }), h("div", { class: "body" }, markdown(a.body, 4)),
        href ? h("p", { class: "more" }, link(href, a.url)) : null));
      chatView.hidden = true;
      articleView.hidden = false;
      back.focus();
    }
    function closeArticle() {
      articleView.hidden = true;
      articleView.replaceChildren();
      chatView.hidden = false;
      log.scrollTop = chatScroll;
      (articleBack && articleBack.isConnected ? articleBack : input).focus();
    }

    /** After an escalation without a way to reach the customer later: ask for an email, inline. */
    function emailAsk(d) {
      var rt = d.reply_time || {};
      var later = rt.out_of_hours || (rt.expected_reply_at && Date.parse(rt.expected_reply_at) - Date.now() > 600000);
      if (!later || (d.escalation && d.escalation.reason === "customer_form")) return;
      var id = "fb-inline-email-" + (d.turn_id || 0);
      var box = h("input", { type: "email", id: id, autocomplete: "email", maxlength: 200 });
      var err = h("p", { class: "err" });
      var el = say("bot", t("email_later"), lang);
      el.classList.add("email-ask");
      var form = h("form", { class: "inline", novalidate: true },
                   h("label", { for: id, class: "sr", text: t("email") }), box,
                   h("button", { type: "submit", class: "primary", text: t("send") }));
      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        var address = box.value.trim();
        if (!/^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$/.test(address)) {
          err.textContent = t("email_invalid");
          box.setAttribute("aria-invalid", "true");
          return;
        }
        api(opts.api, "POST", "/v1/handoff", { session_id: sessionId, email: address, lang: lang }, sessionToken)
          .then(function (r) {
            el.replaceChildren(h("p", { text: localNotice(r) }));
            el.classList.add("sent");
            state = r.state || state;
            syncPerson();
          }, function (e) {
            err.textContent = e.status === 400 && /email/i.test(e.message) ? t("email_invalid") : t("error");
          });
      });
      el.append(form, err);
      scroll();
    }

    function feedbackRow(turnId) {
      var row = h("div", { class: "fb", role: "group" });
      var q = h("span", { text: t("helpful_q"), id: "fb-q" + turnId });
      row.setAttribute("aria-labelledby", q.id);
      function rate(helpful) {
        if (row.dataset.sent) return;
        row.dataset.sent = "1";
        api(opts.api, "POST", "/v1/feedback", { session_id: sessionId, turn_id: turnId, helpful: helpful },
            sessionToken)
          .then(function (d) {
            row.replaceChildren(h("span", { text: t("thanks_feedback") }));
            announce(t("thanks_feedback"));
            input.focus();
            if (d.escalation) {
              state = d.state;
              syncPerson();
              notice(localNotice(d), d.escalation);
            } else if (helpful === false) {
              var next = choiceBubble(d.notice, d.suggestions || [], lang, null, false);
              next.append(h("p", { class: "row" }, personChip()));
              scroll();
            } else askCsat();
          }, function (e) { delete row.dataset.sent; showError(e); });
      }
      row.append(q,
                 h("button", { type: "button", class: "chip small", text: t("yes"), onclick: function () { rate(true); } }),
                 h("button", { type: "button", class: "chip small", text: t("no"), onclick: function () { rate(false); } }));
      return row;
    }

    function articleCard(a, turnId, noticeText) {
      var el = bubble("bot", a.lang);
      el.classList.add("answer");
      var heading = h("button", { type: "button", class: "title", text: a.title });
      el.append(h("h3", null, heading));
      el.append(h("div", { class: "body" }, markdown(a.passage || a.body, 4)));
      if (noticeText) el.append(h("p", { class: "note", lang: lang, text: noticeText }));
      var more = h("button", { type: "button", class: "linkbtn more", text: t("read_more") });
      heading.addEventListener("click", function () { openArticle(a, heading); });
      more.addEventListener("click", function () { openArticle(a, more); });
      if (a.passage && a.passage.trim() !== a.body.trim()) el.append(h("p", null, more));
      if (turnId) answeredTurn = Math.max(answeredTurn, turnId);
      if (turnId) el.append(feedbackRow(turnId));
      announce(t("bot") + ": " + a.title + (noticeText ? ". " + noticeText : ""));
      reveal(el);
      return el;
    }

    function notice(text, escalation) {
      if (!text && !escalation) return;
      var el = say("bot", text || "", lang);
      lastNotice = text;
      if (escalation && state === "handed_off") startPolling();
      scroll();
      return el;
    }

    function showError(err) {
      stopTyping();
      var el = say("system", t("error"), lang);
      el.classList.add("error");
      if (window.console) console.warn("faqbot:", err && err.message);
    }

    var typing = null;
    function startTyping() {
      typing = bubble("bot");
      typing.classList.add("typing");
      typing.append(h("span", { class: "sr", text: t("typing") }),
                    h("span", { class: "dots", "aria-hidden": "true" }, h("i"), h("i"), h("i")));
      scroll();
    }
    function stopTyping() { if (typing) typing.remove(); typing = null; }

    /** Render one /v1/answer, /v1/choose or /v1/handoff reply. */
    function reply(d, customerEl) {
      stopTyping();
      sessionId = d.session_id || sessionId;
      sessionToken = d.session_token || sessionToken;
      if (d.turn_id) lastTurn = Math.max(lastTurn, d.turn_id);
      if (customerEl && d.language) {
        customerEl.setAttribute("lang", d.language);
        customerEl.setAttribute("dir", dirOf(d.language));
      }
      if (d.language) setLang(matchLang(d.language, uiLangs) || lang);
      remember();
      state = d.state || state;
      syncPerson();
      var text = localNotice(d);
      var items = d.suggestions || [];
      if (d.answer && (d.decision === "answered" || d.decision === "handed_off")) {
        // Handed off: the article is there to read, not to rate (a person owns the conversation).
        articleCard(d.answer, d.decision === "answered" ? d.turn_id : null, d.notice);
      } else if (d.decision === "suggest") {
        choiceBubble(d.notice || t("did_you_mean"), items, d.language, d.turn_id, true);
      } else if (d.decision === "smalltalk" || d.decision === "withdrawn") {
        if (items.length) choiceBubble(text, items, d.language, d.turn_id, false); else say("bot", text, d.language);
        if (d.reason === "thanks" || d.reason === "goodbye") askCsat();
      } else if (d.decision === "offered") {
        var offer = items.length ? choiceBubble(text, items, d.language, d.turn_id, false) : say("bot", text, d.language);
        offer.classList.add("offer");
        offer.append(h("p", { class: "row" }, personChip(),
          h("button", { type: "button", class: "chip", text: t("no_thanks"),
                        onclick: function () { ask(t("no_thanks")); } })));
        scroll();
      } else if (d.decision === "handed_off") {
        if (d.notice && d.notice !== lastNotice) notice(d.notice, null);
        startPolling();
      } else {
        notice(text, d.escalation);
        if (d.escalation) emailAsk(d);
      }
      if (state === "handed_off") startPolling();
      keepQuestion(customerEl);
    }

    function request(path, body, customerEl) {
      busy = true;
      startTyping();
      return api(opts.api, "POST", path, body, sessionToken).then(function (d) { reply(d, customerEl); },
                                                                  showError)
        .then(function () { busy = false; });
    }

    function ask(text) {
      if (busy || !text.trim()) return;
      var el = say("customer", text);
      input.value = "";
      var body = { question: text, lang: lang };
      if (sessionId) body.session_id = sessionId;
      request("/v1/answer", body, el);
    }

    /** The session (started by the server if there is none yet), then its id. */
    function ensureSession() {
      if (sessionId) return Promise.resolve(sessionId);
      return api(opts.api, "POST", "/v1/sessions", null).then(function (d) {
        sessionId = d.session_id;
        sessionToken = d.session_token;
        remember();
        return sessionId;
      });
    }

    function choose(articleId, echo) {
      if (busy) return;
      // The conversation's language, not the suggestion's: the server then picks the best version.
      ensureSession().then(function (id) {
        request("/v1/choose", { session_id: id, article_id: articleId, lang: lang }, echo);
      }, showError);
      input.focus();
    }

    // ---- history, popular articles, polling ----
    function renderTurn(tn) {
      lastTurn = Math.max(lastTurn, tn.turn_id);
      if (tn.role === "bot" && tn.decision === "answered" && tn.article_id) {
        var slot = bubble("bot", tn.lang);
        slot.append(h("p", { text: tn.text }));
        return api(opts.api, "GET", "/v1/articles/" + encodeURIComponent(tn.article_id) + "?lang=" +
                   encodeURIComponent(tn.lang || lang)).then(function (a) {
          var card = articleCard(a, tn.turn_id, "");
          slot.replaceWith(card);
        }, function () { /* the article is gone: the title stays */ });
      }
      var kept = tn.role === "bot" && choices[tn.turn_id];
      if (kept) {
        choiceBubble(kept.text, kept.items, tn.lang, null, kept.none);
        return null;
      }
      if (tn.role === "bot") {
        // Stored bot turns are plain lines (a notice, then suggested titles), not Markdown.
        var b = bubble("bot", tn.lang);
        tn.text.split("\n").forEach(function (line) { if (line.trim()) b.append(h("p", { text: line })); });
      } else say(tn.role, tn.text, tn.lang, tn.agent_name);
      return null;
    }

    function restore() {
      if (!sessionId) return Promise.resolve(false);
      return api(opts.api, "GET", "/v1/sessions/" + encodeURIComponent(sessionId), undefined,
                 sessionToken).then(function (d) {
        state = d.state;
        syncPerson();
        if (d.language && catalog[d.language]) setLang(d.language);
        quiet = true;
        var pending = d.turns.map(renderTurn).filter(Boolean);
        if (state === "handed_off") startPolling();
        return Promise.all(pending).then(function () {
          quiet = false;
          scroll();
          return d.turns.length > 0;
        });
      }, function (err) {
        // Gone (404) or not provably ours (403, e.g. the server's secret was rotated): start afresh.
        if (err.status === 404 || err.status === 403) forget();
        return false;
      });
    }

    function popular() {
      return api(opts.api, "GET", "/v1/articles/popular?k=5&lang=" + encodeURIComponent(lang)).then(function (d) {
        if (!d.articles.length) return;
        var el = say("bot", t("popular"), lang);
        el.classList.add("popular");
        el.append(chips(d.articles, function (a) { pick(a); }, lang));
      }, function () { /* no suggestions is fine */ });
    }

    function start() {
      if (started) return Promise.resolve();
      started = true;
      say("bot", opts.greeting || t("greeting"), opts.greeting ? null : lang).classList.add("greeting");
      return restore().then(function (had) { if (!had) return popular(); });
    }

    function poll() {
      pollTimer = null;
      if (!sessionId || state !== "handed_off") return;
      api(opts.api, "GET", "/v1/sessions/" + encodeURIComponent(sessionId) + "?after=" + lastTurn,
          undefined, sessionToken)
        .then(function (d) {
          d.turns.forEach(function (tn) {
            lastTurn = Math.max(lastTurn, tn.turn_id);
            if (tn.role === "agent" || tn.role === "system") {
              say(tn.role, tn.text, tn.lang, tn.agent_name);
              if (panel.hidden) badge.hidden = false;
            }
          });
          state = d.state;
          syncPerson();
        }, function () { /* try again on the next tick */ })
        .then(function () { if (state === "handed_off") startPolling(); });
    }
    function startPolling() { if (!pollTimer) pollTimer = setTimeout(poll, opts.pollMs); }

    // ---- the handoff form ----
    var formBack = null;
    function field(name, type, key, extra) {
      var id = "fb-f-" + name;
      var control = h(type === "textarea" ? "textarea" : "input",
                      Object.assign({ id: id, name: name }, type === "textarea" ? { rows: 3 } : { type: type }, extra));
      return [h("div", { class: "field" }, h("label", { for: id, text: t(key) }), control), control];
    }
    function openForm() {
      formBack = root.activeElement;
      var name = field("name", "text", "name", { autocomplete: "name", maxlength: 200 });
      var email = field("email", "email", "email", { autocomplete: "email", maxlength: 200, required: true,
                                                      "aria-required": "true", "aria-describedby": "fb-email-err" });
      var msg = field("message", "textarea", "message", { maxlength: 4000 });
      var err = h("p", { class: "err", id: "fb-email-err" });
      email[0].append(err);
      var heading = h("h3", { id: "fb-form-title", text: t("form_title") });
      var form = h("form", { class: "handoff", novalidate: true, "aria-labelledby": "fb-form-title" }, heading, name[0], email[0], msg[0],
                   h("div", { class: "row" },
                     h("button", { type: "submit", class: "primary", text: t("submit") }),
                     h("button", { type: "button", class: "secondary", text: t("cancel"), onclick: closeForm })));
      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        var address = email[1].value.trim();
        if (!/^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$/.test(address)) {
          err.textContent = t("email_invalid");
          email[1].setAttribute("aria-invalid", "true");
          email[1].focus();
          return;
        }
        if (busy) return;
        busy = true;
        ensureSession().then(function (id) {
          var body = { session_id: id, email: address, lang: lang };
          if (name[1].value.trim()) body.name = name[1].value.trim();
          if (msg[1].value.trim()) body.message = msg[1].value.trim();
          return api(opts.api, "POST", "/v1/handoff", body, sessionToken);
        }).then(function (d) {
          busy = false;
          formBack = null; // sent: the conversation goes on in the input, not at the button
          closeForm();
          state = d.state || "handed_off";
          syncPerson();
          // One message for this step: the server's, which says what happens next and when.
          lastNotice = d.notice;
          say("bot", localNotice(d) || t("form_sent"), d.language || lang).classList.add("sent");
          startPolling();
        }, function (e) {
          busy = false;
          err.textContent = e.status === 400 && /email/i.test(e.message) ? t("email_invalid") : t("error");
        });
      });
      formView.replaceChildren(form);
      chatView.hidden = true;
      formView.hidden = false;
      name[1].focus();
    }
    function closeForm() {
      formView.hidden = true;
      formView.replaceChildren();
      chatView.hidden = false;
      (formBack && formBack.isConnected && !formBack.closest("[hidden]") ? formBack : input).focus();
    }

    // ---- open, close, keyboard ----
    function open() {
      panel.hidden = false;
      badge.hidden = true;
      launcher.setAttribute("aria-expanded", "true");
      root.host.setAttribute("data-open", "");
      start().then(scroll);
      (formView.hidden ? input : formView.querySelector("input")).focus();
    }
    function close() {
      panel.hidden = true;
      launcher.setAttribute("aria-expanded", "false");
      root.host.removeAttribute("data-open");
      launcher.focus();
    }
    function focusables() {
      return Array.prototype.filter.call(panel.querySelectorAll(
        "a[href],button:not([disabled]),input:not([disabled]),textarea:not([disabled]),[tabindex]:not([tabindex='-1'])"
      ), function (el) { return el.getClientRects().length > 0; });
    }

    launcher.addEventListener("click", function () { if (panel.hidden) open(); else close(); });
    closeBtn.addEventListener("click", close);
    personBtn.addEventListener("click", openForm);
    composer.addEventListener("submit", function (ev) { ev.preventDefault(); ask(input.value); });
    panel.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape") { ev.preventDefault(); ev.stopPropagation(); close(); return; }
      if (ev.key !== "Tab") return;
      var f = focusables();
      if (!f.length) return;
      var active = root.activeElement;
      if (ev.shiftKey && (active === f[0] || f.indexOf(active) < 0)) { ev.preventDefault(); f[f.length - 1].focus(); }
      else if (!ev.shiftKey && (active === f[f.length - 1] || f.indexOf(active) < 0)) { ev.preventDefault(); f[0].focus(); }
    });

    setLang(lang);
    (document.body || document.documentElement).append(host);
    if (sessionId) start(); // an ongoing conversation: restore it now so agent replies keep arriving
    if (linked) { remember(); open(); }
    host.setAttribute("data-ready", "");
  }

  function boot() {
    var opts = readOptions(script);
    // Every catalog language comes at once, so the UI can follow the customer's language later.
    api(opts.api, "GET", "/v1/widget/config").then(function (config) {
      if (!document.querySelector("faqbot-widget")) Widget(opts, config); // one widget per page
    }, function (err) { console.warn("faqbot: widget unavailable:", err && err.message); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})();
