/*
 * thredo console: polls the actuator's thredo endpoint about once a second and shows the live
 * threads as a tree (a request thread -> the group it owns -> the group's members), with a cancel
 * button per thread. Plain JavaScript, no dependencies.
 *
 * Security: the page relies on the browser's own credentials for this origin (HTTP Basic, a session
 * cookie, ...): fetches are same-origin with credentials. The cancel POST carries the value of the
 * XSRF-TOKEN cookie (if there is one) in an X-XSRF-TOKEN header, as Spring Security's
 * CookieCsrfTokenRepository expects. The endpoint defaults to ../actuator/thredo; ?endpoint=/some/path
 * overrides it with a path on this origin, and only that: anything else (another origin, "//host",
 * "/\host", a relative path, a scheme) is ignored with a visible notice, so that a link to the
 * console cannot send its credentials, token and cancels to another site.
 */
(function () {
  'use strict';

  var REFRESH_MS = 1000;
  var LIMIT = 1000;
  var DEFAULT_ENDPOINT = '../actuator/thredo';
  var params = new URLSearchParams(window.location.search);
  var endpoint = chooseEndpoint(params.get('endpoint'));
  var endpointPath = endpoint.pathname.replace(/\/$/, '');
  var consolePath = window.location.pathname.replace(/\/[^/]*$/, '');

  var $ = function (id) { return document.getElementById(id); };
  var tree = $('tree');
  var nodes = new Map();      // key -> {li, row, ul, ...}
  var lastThreads = [];
  var pendingCancel = null;
  var timer = null;
  var inFlight = false;

  /* The endpoint asked for, if it is an absolute path on this origin; otherwise the default, and a notice. */
  function chooseEndpoint(asked) {
    var fallback = new URL(DEFAULT_ENDPOINT, window.location.href);
    if (asked === null) { return fallback; }
    var url = null;
    if (/^\/(?![\/\\])/.test(asked)) { // "/path", not "//host" nor "/\host"
      try { url = new URL(asked, window.location.href); } catch (e) { url = null; }
    }
    // The origin check is the guard (the URL parser drops tabs and newlines, so "/\t/host" is "//host").
    if (url && url.origin === window.location.origin) { return url; }
    var notice = document.getElementById('notice');
    notice.textContent = 'Ignored endpoint=' + asked.slice(0, 200) + ': only a path on this origin (such as ' +
      '/manage/thredo) is accepted. Using ' + fallback.pathname + '.';
    notice.hidden = false;
    return fallback;
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  function cookie(name) {
    var parts = document.cookie ? document.cookie.split('; ') : [];
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf('=');
      if (parts[i].substring(0, eq) === name) { return decodeURIComponent(parts[i].substring(eq + 1)); }
    }
    return null;
  }

  function showError(message) {
    var box = $('error');
    if (message) { box.textContent = message; box.hidden = false; } else { box.textContent = ''; box.hidden = true; }
  }

  async function describeFailure(response, what) {
    var detail = '';
    try {
      var text = await response.text();
      try { var body = JSON.parse(text); detail = body.detail || body.error || body.message || text; } catch (e) { detail = text; }
    } catch (e) { /* no body */ }
    var hint = '';
    if (response.status === 401) { hint = ' Not authenticated: reload the page and log in with a user allowed to use the actuator.'; }
    else if (response.status === 403) {
      hint = what === 'cancel'
        ? ' Forbidden: the user may not cancel, the request was refused as cross-site, or the CSRF token (XSRF-TOKEN cookie) is missing or stale; reload the page.'
        : ' Forbidden: this user may not read the thredo endpoint.';
    } else if (response.status === 404 && what === 'list') {
      hint = ' Is the thredo endpoint exposed (management.endpoints.web.exposure.include=thredo)?';
    } else if (response.status === 405 && what === 'cancel') {
      hint = ' Cancelling needs write access: management.endpoint.thredo.access=unrestricted.';
    }
    return what + ' failed: HTTP ' + response.status + ' ' + (response.statusText || '') +
      (detail ? ' — ' + String(detail).slice(0, 300) : '') + hint;
  }

  function isConsoleOwn(t) {
    var m = /^[A-Z]+ (\S+)/.exec(t.name || '');
    if (!m) { return false; }
    var path = m[1];
    return path === endpointPath || path.indexOf(endpointPath + '/') === 0 ||
      path === consolePath || path.indexOf(consolePath + '/') === 0;
  }

  /* ---- the tree model ---- */

  function buildForest(threads) {
    // hide the console's own requests and everything under them
    return window.ThredoTree.buildForest(threads, $('hide-console').checked ? isConsoleOwn : null);
  }

  function filterForest(forest, text) {
    if (!text) { return forest; }
    var needle = text.toLowerCase();
    function keep(n, ancestorMatched) {
      var name = (n.kind === 'thread' ? n.thread.name : n.name) || '';
      var self = name.toLowerCase().indexOf(needle) >= 0 || (n.kind === 'thread' && String(n.thread.id) === text);
      var kids = n.children.map(function (c) { return keep(c, ancestorMatched || self); }).filter(Boolean);
      if (ancestorMatched || self || kids.length) {
        return Object.assign({}, n, { children: kids });
      }
      return null;
    }
    return forest.map(function (n) { return keep(n, false); }).filter(Boolean);
  }

  /* ---- rendering: DOM nodes are kept per thread id, so they stay put across refreshes ---- */

  function threadNode(key) {
    var n = nodes.get(key);
    if (n) { return n; }
    var li = el('li', 'thread');
    var row = el('div', 'row');
    n = {
      li: li, ul: el('ul'),
      state: el('span', 'badge'), name: el('span', 'name'), id: el('span', 'id'),
      kind: el('span', 'kind'), group: el('span', 'meta group-name'), blocked: el('span', 'blocked'), age: el('span', 'meta age'),
      deadline: el('span', 'meta deadline'), stuck: el('span', 'badge stuck-badge', 'STUCK'),
      cancelled: el('span', 'meta cancel-requested'), cancel: el('button', 'cancel', 'Cancel')
    };
    n.cancel.type = 'button';
    [n.state, n.name, n.id, n.kind, n.group, n.blocked, el('span', 'spacer'), n.stuck, n.cancelled, n.age, n.deadline, n.cancel]
      .forEach(function (c) { row.appendChild(c); });
    li.appendChild(row);
    li.appendChild(n.ul);
    nodes.set(key, n);
    return n;
  }

  function groupNode(key) {
    var n = nodes.get(key);
    if (n) { return n; }
    var li = el('li', 'group');
    var row = el('div', 'row');
    n = { li: li, ul: el('ul'), name: el('span', 'name'), meta: el('span', 'meta') };
    row.appendChild(el('span', 'kind', 'group'));
    row.appendChild(n.name);
    row.appendChild(n.meta);
    li.appendChild(row);
    li.appendChild(n.ul);
    nodes.set(key, n);
    return n;
  }

  function updateThread(n, t, now) {
    var li = n.li;
    li.dataset.threadId = t.id;
    li.dataset.threadName = t.name;
    li.dataset.state = t.state;
    li.dataset.groupId = t.groupId || '';
    li.dataset.parentId = t.parentId || '';
    li.classList.toggle('stuck', !!t.stuck);
    li.classList.toggle('cancelling', t.state === 'CANCELLING' || !!t.cancelRequestedAt);
    n.state.textContent = t.state;
    n.state.className = 'badge state state-' + t.state;
    n.name.textContent = t.name;
    n.id.textContent = '#' + t.id;
    var words = window.ThredoTree.describe(t, now);
    n.kind.textContent = words.kind;
    n.group.textContent = words.group;
    n.blocked.textContent = words.blocked;
    n.age.textContent = words.age;
    n.deadline.textContent = words.deadline;
    n.deadline.title = t.deadline || '';
    n.stuck.hidden = !t.stuck;
    n.cancelled.textContent = words.cancelled;
    n.cancel.dataset.threadId = t.id;
    n.cancel.title = 'Cancel thread #' + t.id + ' ' + t.name;
  }

  function renderInto(ul, list, seen, now) {
    var expected = [];
    list.forEach(function (m) {
      var n;
      if (m.kind === 'thread') { n = threadNode(m.key); updateThread(n, m.thread, now); }
      else {
        n = groupNode(m.key);
        n.li.dataset.groupId = m.groupId;
        n.li.dataset.groupName = m.name;
        n.name.textContent = m.name;
        n.meta.textContent = '#' + m.groupId + ' · ' + m.children.length + ' member' + (m.children.length === 1 ? '' : 's');
      }
      seen.add(m.key);
      renderInto(n.ul, m.children, seen, now);
      n.ul.hidden = m.children.length === 0;
      expected.push(n.li);
    });
    // put the children in order, moving (not re-creating) existing elements
    for (var i = 0; i < expected.length; i++) {
      if (ul.children[i] !== expected[i]) { ul.insertBefore(expected[i], ul.children[i] || null); }
    }
    while (ul.children.length > expected.length) { ul.removeChild(ul.lastChild); }
  }

  function render() {
    var now = Date.now();
    var forest = filterForest(buildForest(lastThreads), $('filter').value.trim());
    var seen = new Set();
    renderInto(tree, forest, seen, now);
    nodes.forEach(function (n, key) {
      if (!seen.has(key)) { if (n.li.parentNode) { n.li.parentNode.removeChild(n.li); } nodes.delete(key); }
    });
    $('empty').hidden = forest.length > 0;
  }

  function renderStats(k, shown, truncated) {
    var s = $('stats');
    s.textContent = '';
    [['live', k.live], ['running', k.running], ['blocked', k.blocked], ['cancelling', k.cancelling],
      ['stuck', k.stuck], ['groups', k.liveGroups], ['spawned', k.spawned], ['succeeded', k.succeeded],
      ['failed', k.failed], ['cancelled', k.cancelled]].forEach(function (p) {
      var span = el('span');
      span.id = 'stat-' + p[0];
      span.appendChild(document.createTextNode(p[0] + ' '));
      span.appendChild(el('b', null, String(p[1])));
      s.appendChild(span);
    });
    if (truncated) { s.appendChild(el('span', null, '(first ' + shown + ' shown)')); }
  }

  /* ---- polling ---- */

  async function refresh() {
    if (inFlight) { return; }
    inFlight = true;
    try {
      var url = new URL(endpoint.href);
      url.searchParams.set('limit', String(LIMIT));
      var response = await fetch(url.href, { credentials: 'same-origin', headers: { 'Accept': 'application/json' }, cache: 'no-store' });
      if (!response.ok) {
        showError(await describeFailure(response, 'list'));
        $('status').textContent = 'error at ' + new Date().toLocaleTimeString();
        return;
      }
      var body = await response.json();
      lastThreads = body.threads || [];
      renderStats(body.kernel || {}, lastThreads.length, body.truncated);
      render();
      if (!pendingError) { showError(null); }
      var shown = tree.querySelectorAll('li.thread').length;
      $('status').textContent = shown + ' shown of ' + lastThreads.length + ' listed · updated ' +
        new Date().toLocaleTimeString();
      document.body.dataset.loaded = 'true';
    } catch (e) {
      showError('list failed: ' + e);
      $('status').textContent = 'error at ' + new Date().toLocaleTimeString();
    } finally {
      inFlight = false;
    }
  }

  var pendingError = null; // an error from a cancel stays visible for a few refreshes
  function showCancelError(message) {
    pendingError = message;
    showError(message);
    setTimeout(function () { if (pendingError === message) { pendingError = null; } }, 5000);
  }

  function schedule() {
    clearInterval(timer);
    timer = setInterval(function () { if (!$('paused').checked && !document.hidden) { refresh(); } }, REFRESH_MS);
  }

  /* ---- cancel with confirmation ---- */

  function askCancel(id) {
    var t = lastThreads.find(function (x) { return String(x.id) === String(id); });
    pendingCancel = { id: id, name: t ? t.name : '' };
    $('confirm-text').textContent = t ? window.ThredoTree.describe(t, Date.now()).confirm
      : 'Cancel thread #' + id + '? Its blocking calls end with a cancellation; a request answers 503.';
    $('confirm').dataset.threadId = id;
    $('confirm').hidden = false;
    $('confirm-yes').focus();
  }

  function closeConfirm() {
    pendingCancel = null;
    $('confirm').hidden = true;
    delete $('confirm').dataset.threadId;
  }

  async function doCancel() {
    if (!pendingCancel) { return; }
    var id = pendingCancel.id;
    closeConfirm();
    var headers = { 'Accept': 'application/json' };
    var token = cookie('XSRF-TOKEN');
    if (token) { headers['X-XSRF-TOKEN'] = token; }
    try {
      var url = new URL(endpoint.href.replace(/\/?$/, '/') + encodeURIComponent(id) + '/cancel');
      var response = await fetch(url.href, { method: 'POST', credentials: 'same-origin', headers: headers });
      if (response.status === 202 || response.ok) {
        pendingError = null;
        showError(null);
        $('status').textContent = 'cancel of #' + id + ' requested';
      } else if (response.status === 404) {
        showCancelError('thread #' + id + ' has already ended.');
      } else {
        showCancelError(await describeFailure(response, 'cancel'));
      }
    } catch (e) {
      showCancelError('cancel failed: ' + e);
    }
    refresh();
  }

  tree.addEventListener('click', function (ev) {
    var b = ev.target.closest('button.cancel');
    if (b) { askCancel(b.dataset.threadId); }
  });
  $('confirm-yes').addEventListener('click', doCancel);
  $('confirm-no').addEventListener('click', closeConfirm);
  $('confirm').addEventListener('click', function (ev) { if (ev.target === $('confirm')) { closeConfirm(); } });
  document.addEventListener('keydown', function (ev) { if (ev.key === 'Escape' && !$('confirm').hidden) { closeConfirm(); } });
  $('filter').addEventListener('input', render);
  $('hide-console').addEventListener('change', render);

  refresh();
  schedule();
})();
