// The node table of a patchready report: filters, sorting and pages over
// the compact node data in #node-data (see nodes.go for its layout). Text
// from the nodes is only ever set with textContent, never parsed as HTML.
(function () {
  'use strict';
  var t0 = performance.now();
  var D = JSON.parse(document.getElementById('node-data').textContent);
  var S = D.s, rows = D.rows, N = rows.length;
  var ID = 0, HOST = 1, PLAT = 2, AG = 3, V = 4, CT = 5, PT = 6, PR = 7, OT = 8;
  var POS = ['none or unreadable', 'below the floor', 'at or above the floor'];
  var POSKEY = ['unreadable', 'below', 'above'];
  var hasRuns = D.runs.length > 0;

  function $(id) { return document.getElementById(id); }
  function fmt(n) { return n.toLocaleString('en-US'); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function passing(statusIdx) {
    var n = D.st[statusIdx].name;
    return n === 'pass' || n === 'na';
  }

  var state = { q: '', verdict: '', platform: '', check: '', agent: '', outcome: '', blocked: '', sort: 'id', dir: 1, page: 0, size: 100 };
  var filtered = new Int32Array(0);
  var lower = null; // lower-case instance IDs and host names, made on the first search

  // Options of the select filters, from the data, most nodes first.
  function fillSelect(sel, opts) {
    opts.forEach(function (o) {
      var op = el('option', '', o[1]);
      op.value = o[0];
      sel.appendChild(op);
    });
  }
  // tally counts the rows by one field (an index into a table of n).
  function tally(field, n) {
    var c = new Int32Array(n);
    for (var i = 0; i < N; i++) if (rows[i][field] >= 0) c[rows[i][field]]++;
    return c;
  }
  // ranked turns a Map of counts into [key, count] pairs, most first.
  function ranked(m) {
    return Array.from(m.entries()).filter(function (e) { return e[1] > 0; }).sort(function (a, b) { return b[1] - a[1]; });
  }
  fillSelect($('f-verdict'), D.v.map(function (v) { return [v.name, v.icon + ' ' + v.name]; }));
  var platCount = tally(PLAT, S.length), plats = new Map();
  platCount.forEach(function (n, s) { if (n) plats.set(s, n); });
  fillSelect($('f-platform'), ranked(plats).map(function (e) {
    return [S[e[0]], S[e[0]] + ' (' + fmt(e[1]) + ')'];
  }));
  // Check options: counted per combination of checks, then spread over
  // the checks each combination holds.
  var ctCount = tally(CT, D.ct.length), checkCount = new Map();
  D.ct.forEach(function (t, i) {
    if (!ctCount[i]) return;
    for (var j = 0; j < t.length; j += 3) {
      var k = t[j] + ':' + t[j + 1];
      checkCount.set(k, (checkCount.get(k) || 0) + ctCount[i]);
      if (!passing(t[j + 1])) checkCount.set(t[j] + ':!', (checkCount.get(t[j] + ':!') || 0) + ctCount[i]);
    }
  });
  var checkOpts = ranked(checkCount);
  checkOpts.sort(function (a, b) { return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0; });
  fillSelect($('f-check'), checkOpts.map(function (e) {
    var p = e[0].split(':'), c = D.checks[+p[0]];
    var what = p[1] === '!' ? 'not passing' : D.st[+p[1]].name;
    return [c + ':' + (p[1] === '!' ? '!' : D.st[+p[1]].name), c + ': ' + what + ' (' + fmt(e[1]) + ')'];
  }));
  if (hasRuns) {
    $('l-outcome').hidden = false;
    document.querySelector('th.col-outcome').hidden = false;
    var otCount = tally(OT, D.ot.length), oc = new Map(), none = N;
    D.ot.forEach(function (t, i) {
      var name = D.os[t[0]].name;
      oc.set(name, (oc.get(name) || 0) + otCount[i]);
      none -= otCount[i];
    });
    oc.set('none', none);
    fillSelect($('f-outcome'), ranked(oc).map(function (e) { return [e[0], (e[0] === 'none' ? 'not in a run' : e[0]) + ' (' + fmt(e[1]) + ')']; }));
  }

  // Filter values as indexes into the data.
  function indexOf(list, name) {
    for (var i = 0; i < list.length; i++) if ((list[i].name || list[i]) === name) return i;
    return -2; // a name the data does not hold matches nothing
  }

  function compute() {
    var q = state.q.trim().toLowerCase();
    var fv = state.verdict ? indexOf(D.v, state.verdict) : -1;
    var fp = -1;
    if (state.platform) { fp = S.indexOf(state.platform); if (fp < 0) fp = -2; }
    var fa = state.agent ? POSKEY.indexOf(state.agent) : -1;
    if (state.agent && fa < 0) fa = -2;
    var fb = state.blocked ? D.checks.indexOf(state.blocked) : -1;
    if (state.blocked && fb < 0) fb = -2;
    var fc = -1, fs = -1;
    if (state.check) {
      var cp = state.check.split(':');
      fc = D.checks.indexOf(cp[0]);
      fs = cp[1] === '!' ? -3 : indexOf(D.st, cp[1]);
      if (fc < 0) fc = -2;
    }
    var fo = -1;
    if (state.outcome) fo = state.outcome === 'none' ? -3 : indexOf(D.os, state.outcome);

    // Per-table matches, computed once per query: a fleet shares its
    // strings, so most of the search is over a few thousand of them.
    var sm = null, ctm = null, ptm = null, otm = null, agm = null, vm = null;
    if (q) {
      if (!lower) {
        lower = new Array(N);
        for (var i = 0; i < N; i++) lower[i] = (rows[i][ID] + ' ' + rows[i][HOST]).toLowerCase();
      }
      sm = new Uint8Array(S.length);
      for (var s = 0; s < S.length; s++) sm[s] = S[s].toLowerCase().indexOf(q) >= 0 ? 1 : 0;
      var cm = D.checks.map(function (c) { return c.toLowerCase().indexOf(q) >= 0; });
      ctm = D.ct.map(function (t) {
        for (var j = 0; j < t.length; j += 3) if (sm[t[j + 2]] || cm[t[j]] && !passing(t[j + 1])) return true;
        return false;
      });
      ptm = D.pt.map(function (t) {
        for (var k = 0; k < 3; k++) for (var j = 0; j < t[k].length; j++) if (sm[t[k][j]]) return true;
        for (var b = 0; b < t[3].length; b++) if (cm[t[3][b]]) return true;
        return false;
      });
      otm = D.ot.map(function (t) { return sm[t[1]] || D.os[t[0]].name.indexOf(q) >= 0; });
      agm = D.ag.map(function (a) { return sm[a[0]]; });
      vm = D.v.map(function (v) { return v.name.toLowerCase().indexOf(q) >= 0; });
    }
    var out = new Int32Array(N), k = 0;
    for (var n = 0; n < N; n++) {
      var r = rows[n];
      if (fv !== -1 && r[V] !== fv) continue;
      if (fp !== -1 && r[PLAT] !== fp) continue;
      if (fa !== -1 && D.ag[r[AG]][1] !== fa) continue;
      if (fb !== -1 && D.pt[r[PT]][3].indexOf(fb) < 0) continue;
      if (fc !== -1) {
        var t = D.ct[r[CT]], hit = false;
        for (var j = 0; j < t.length; j += 3) {
          if (t[j] === fc && (fs === -3 ? !passing(t[j + 1]) : t[j + 1] === fs)) { hit = true; break; }
        }
        if (!hit) continue;
      }
      if (fo !== -1) {
        if (fo === -3 ? r[OT] >= 0 : (r[OT] < 0 || D.ot[r[OT]][0] !== fo)) continue;
      }
      if (q && !(lower[n].indexOf(q) >= 0 || sm[r[PLAT]] || agm[r[AG]] || vm[r[V]] || ctm[r[CT]] || ptm[r[PT]] ||
          (r[PR] >= 0 && sm[r[PR]]) || (r[OT] >= 0 && otm[r[OT]]))) continue;
      out[k++] = n;
    }
    filtered = out.slice(0, k);
    sortRows();
  }

  // Sorting: rows arrive ordered by instance ID, so the row index is the
  // ID order and every other key breaks ties by it.
  var sortKeys = {};
  function keyArray(name) {
    if (sortKeys[name]) return sortKeys[name];
    var key = new Int32Array(N), i;
    if (name === 'platform') {
      var order = {};
      var labels = Array.from(new Set(rows.map(function (r) { return r[PLAT]; })));
      labels.sort(function (a, b) { return S[a] < S[b] ? -1 : S[a] > S[b] ? 1 : 0; });
      labels.forEach(function (s, j) { order[s] = j; });
      for (i = 0; i < N; i++) key[i] = order[rows[i][PLAT]];
    } else if (name === 'agent') {
      for (i = 0; i < N; i++) key[i] = D.ag[rows[i][AG]][2];
    } else if (name === 'verdict') {
      for (i = 0; i < N; i++) key[i] = rows[i][V];
    } else if (name === 'outcome') {
      for (i = 0; i < N; i++) key[i] = rows[i][OT] < 0 ? -1 : D.ot[rows[i][OT]][0];
    }
    sortKeys[name] = key;
    return key;
  }
  function sortRows() {
    var dir = state.dir;
    if (state.sort === 'id') {
      if (dir < 0) filtered.reverse();
    } else {
      var key = keyArray(state.sort);
      filtered.sort(function (a, b) { return (key[a] - key[b]) * dir || a - b; });
    }
    document.querySelectorAll('#node-table th').forEach(function (th) {
      var b = th.querySelector('button[data-sort]');
      if (!b) return;
      if (b.getAttribute('data-sort') === state.sort) th.setAttribute('aria-sort', dir > 0 ? 'ascending' : 'descending');
      else th.removeAttribute('aria-sort');
    });
  }

  function chip(statusIdx, text) {
    var st = D.st[statusIdx];
    var c = el('span', 'chip tone-' + st.tone, st.icon + ' ' + text);
    c.title = text + ': ' + st.name;
    return c;
  }

  function rowEl(n) {
    var r = rows[n], v = D.v[r[V]], ag = D.ag[r[AG]], pt = D.pt[r[PT]];
    var tr = el('tr', 'node');
    tr.tabIndex = 0;
    tr.setAttribute('aria-expanded', 'false');
    tr.dataset.row = n;
    var td = el('td');
    td.appendChild(el('code', '', r[ID]));
    if (r[HOST]) td.appendChild(el('span', 'host', r[HOST]));
    tr.appendChild(td);
    tr.appendChild(el('td', '', S[r[PLAT]]));
    td = el('td');
    if (v.name === 'unmanaged') {
      // SSM reports no agent for an instance it does not manage.
      td.appendChild(el('span', 'host', 'not managed'));
    } else {
      td.appendChild(el('span', '', S[ag[0]] || '(none)'));
      if (ag[1] === 1) td.appendChild(el('span', 'host low', '▼ below ' + D.floor));
      if (ag[1] === 0) td.appendChild(el('span', 'host', '? unreadable'));
    }
    tr.appendChild(td);
    td = el('td');
    td.appendChild(el('span', 'v tone-' + v.tone, v.icon + ' ' + v.name));
    tr.appendChild(td);
    td = el('td');
    var chips = el('span', 'chips'), t = D.ct[r[CT]], shown = 0;
    for (var j = 0; j < t.length; j += 3) {
      if (passing(t[j + 1])) continue;
      chips.appendChild(chip(t[j + 1], D.checks[t[j]]));
      shown++;
    }
    if (!shown) chips.appendChild(el('span', 'host', t.length ? '✓ all pass' : v.name === 'unmanaged' ? 'none: not managed' : 'no checks'));
    td.appendChild(chips);
    tr.appendChild(td);
    var reason = pt[0].length ? S[pt[0][0]] : '';
    td = el('td', '', reason);
    if (pt[0].length > 1) td.appendChild(el('span', 'host', '+ ' + (pt[0].length - 1) + ' more'));
    if (!reason && pt[1].length) td.appendChild(el('span', 'host', 'note: ' + S[pt[1][0]]));
    tr.appendChild(td);
    if (hasRuns) {
      td = el('td', 'col-outcome');
      if (r[OT] >= 0) {
        var o = D.ot[r[OT]], st = D.os[o[0]];
        td.appendChild(el('span', 'v tone-' + st.tone, st.icon + ' ' + st.name));
      } else {
        td.appendChild(el('span', 'host', '–'));
      }
      tr.appendChild(td);
    }
    return tr;
  }

  function detailEl(n) {
    var r = rows[n], pt = D.pt[r[PT]], t = D.ct[r[CT]];
    var tr = el('tr', 'detail'), td = el('td'), dl = el('dl');
    td.colSpan = hasRuns ? 7 : 6;
    function add(name, values) {
      if (!values.length) return;
      dl.appendChild(el('dt', '', name));
      var dd = el('dd');
      values.forEach(function (x, i) {
        if (i) dd.appendChild(document.createElement('br'));
        dd.appendChild(typeof x === 'string' ? document.createTextNode(x) : x);
      });
      dl.appendChild(dd);
    }
    var checks = [];
    for (var j = 0; j < t.length; j += 3) {
      var line = el('span');
      line.appendChild(chip(t[j + 1], D.checks[t[j]]));
      line.appendChild(document.createTextNode(' ' + S[t[j + 2]]));
      checks.push(line);
    }
    add('Checks', checks);
    add('Reasons', pt[0].map(function (i) { return S[i]; }));
    add('Actions', pt[2].map(function (i) { return S[i]; }));
    add('Blocked by', pt[3].map(function (i) { return D.checks[i]; }));
    add('Notes', pt[1].map(function (i) { return S[i]; }));
    add("Patch Manager's scan", pt[4].map(function (i) { return S[i]; }));
    var unmanaged = D.v[r[V]].name === 'unmanaged';
    if (r[PR] >= 0) add(unmanaged ? 'EC2 and IAM' : 'Probe', [S[r[PR]]]);
    if (!unmanaged) add('Agent', [(S[D.ag[r[AG]][0]] || '(none)') + ' (' + POS[D.ag[r[AG]][1]] + ' ' + D.floor + ')']);
    if (r[OT] >= 0) {
      var o = D.ot[r[OT]];
      add('Run outcome', [D.os[o[0]].name + (S[o[1]] ? ': ' + S[o[1]] : '') + ' (run ' + D.runs[o[2]] + ')']);
    }
    td.appendChild(dl);
    tr.appendChild(td);
    return tr;
  }

  var tbody = $('rows');
  function render() {
    var total = filtered.length, size = state.size;
    var pages = Math.max(1, Math.ceil(total / size));
    if (state.page >= pages) state.page = pages - 1;
    if (state.page < 0) state.page = 0;
    var from = state.page * size, to = Math.min(from + size, total);
    var frag = document.createDocumentFragment();
    for (var i = from; i < to; i++) frag.appendChild(rowEl(filtered[i]));
    tbody.textContent = '';
    tbody.appendChild(frag);
    var msg = total === 0 ? 'No node matches the filters' :
      'Showing ' + fmt(from + 1) + '–' + fmt(to) + ' of ' + fmt(total) + (total === 1 ? ' node' : ' nodes');
    if (total !== N) msg += ' (filtered from ' + fmt(N) + ')';
    $('count').textContent = msg;
    $('page').textContent = 'Page ' + fmt(state.page + 1) + ' of ' + fmt(pages);
    $('prev').disabled = state.page === 0;
    $('next').disabled = state.page >= pages - 1;
    $('print-note').textContent = total > size ?
      'This printout shows rows ' + fmt(from + 1) + '–' + fmt(to) + ' of ' + fmt(total) + ' matching nodes; the HTML file holds all ' + fmt(N) + '.' : '';
    writeHash();
  }

  function update() { compute(); render(); }

  // The filters live in the URL's fragment, so a link or a reload (the
  // live dashboard reloads on every new cycle) keeps them.
  var keys = ['q', 'verdict', 'platform', 'check', 'agent', 'outcome', 'blocked', 'sort', 'dir', 'page', 'size'];
  var defaults = JSON.parse(JSON.stringify(state));
  function writeHash() {
    var p = new URLSearchParams();
    keys.forEach(function (k) { if (state[k] !== defaults[k]) p.set(k, state[k]); });
    var h = p.toString();
    if (('#' + h) !== location.hash && !(h === '' && location.hash === '')) {
      history.replaceState(null, '', h ? '#' + h : location.pathname + location.search);
    }
  }
  function readHash() {
    var p = new URLSearchParams(location.hash.slice(1));
    keys.forEach(function (k) {
      if (!p.has(k)) return;
      var x = p.get(k);
      state[k] = typeof defaults[k] === 'number' ? (parseInt(x, 10) || defaults[k]) : x;
    });
    if ([50, 100, 500].indexOf(state.size) < 0) state.size = 100;
    if (state.dir !== -1) state.dir = 1;
  }
  function syncControls() {
    $('q').value = state.q;
    $('f-verdict').value = state.verdict;
    $('f-platform').value = state.platform;
    $('f-check').value = state.check;
    $('f-agent').value = state.agent;
    $('f-outcome').value = state.outcome;
    $('f-size').value = String(state.size);
  }

  function setOnly(k, v) {
    keys.forEach(function (x) { if (x !== 'sort' && x !== 'dir' && x !== 'size') state[x] = defaults[x]; });
    state[k] = v;
    syncControls();
    update();
    $('nodes').scrollIntoView({ behavior: 'auto', block: 'start' });
  }

  var timer = 0;
  $('q').addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(function () { state.q = $('q').value; state.page = 0; update(); }, 120);
  });
  [['f-verdict', 'verdict'], ['f-platform', 'platform'], ['f-check', 'check'], ['f-agent', 'agent'], ['f-outcome', 'outcome']].forEach(function (p) {
    $(p[0]).addEventListener('change', function () { state[p[1]] = this.value; state.blocked = ''; state.page = 0; update(); });
  });
  $('f-size').addEventListener('change', function () { state.size = parseInt(this.value, 10); state.page = 0; render(); });
  $('controls').addEventListener('submit', function (e) { e.preventDefault(); });
  $('reset').addEventListener('click', function () {
    keys.forEach(function (k) { if (k !== 'size') state[k] = defaults[k]; });
    syncControls();
    update();
  });
  $('prev').addEventListener('click', function () { state.page--; render(); });
  $('next').addEventListener('click', function () { state.page++; render(); });
  document.querySelectorAll('#node-table th button[data-sort]').forEach(function (b) {
    b.addEventListener('click', function () {
      var k = b.getAttribute('data-sort');
      state.dir = state.sort === k ? -state.dir : 1;
      state.sort = k;
      state.page = 0;
      compute();
      render();
    });
  });
  function toggle(tr) {
    var open = tr.getAttribute('aria-expanded') === 'true';
    if (open) {
      tr.setAttribute('aria-expanded', 'false');
      if (tr.nextSibling && tr.nextSibling.className === 'detail') tbody.removeChild(tr.nextSibling);
    } else {
      tr.setAttribute('aria-expanded', 'true');
      tbody.insertBefore(detailEl(+tr.dataset.row), tr.nextSibling);
    }
  }
  tbody.addEventListener('click', function (e) {
    var tr = e.target.closest('tr.node');
    if (tr) toggle(tr);
  });
  tbody.addEventListener('keydown', function (e) {
    if ((e.key === 'Enter' || e.key === ' ') && e.target.matches('tr.node')) { e.preventDefault(); toggle(e.target); }
  });

  // Cards, chart rows and "show these nodes" links filter the table.
  var filterAttrs = [['data-verdict', 'verdict'], ['data-platform', 'platform'], ['data-agent', 'agent'], ['data-blocked', 'blocked'], ['data-q', 'q'], ['data-check', 'check']];
  function activate(target) {
    for (var i = 0; i < filterAttrs.length; i++) {
      var a = filterAttrs[i], x = target.closest('[' + a[0] + ']');
      if (!x || x.closest('#nodes')) continue;
      var v = x.getAttribute(a[0]);
      if (a[1] === 'check') v += ':!';
      setOnly(a[1], v);
      return true;
    }
    return false;
  }
  document.addEventListener('click', function (e) { activate(e.target); });
  document.addEventListener('keydown', function (e) {
    if ((e.key === 'Enter' || e.key === ' ') && e.target.matches('g.row[tabindex]')) { e.preventDefault(); activate(e.target); }
  });

  readHash();
  syncControls();
  update();
  document.body.setAttribute('data-ready', String(Math.round(performance.now())));
  document.body.setAttribute('data-script-ms', String(Math.round(performance.now() - t0)));

  // The live dashboard polls heal's status and reloads on a new cycle.
  var statusURL = document.body.getAttribute('data-status-url');
  if (statusURL) {
    var runID = document.body.getAttribute('data-run-id') || '';
    var every = Math.max(1, parseInt(document.body.getAttribute('data-poll'), 10) || 30) * 1000;
    var live = $('live-status');
    var poll = function () {
      fetch(statusURL, { cache: 'no-store' }).then(function (r) {
        if (!r.ok) throw new Error('status ' + r.status);
        return r.json();
      }).then(function (j) {
        var id = (j.cycle && j.cycle.run_id) || '';
        if (id && id !== runID) { location.reload(); return; }
        live.textContent = 'up to date at ' + new Date().toLocaleTimeString();
        setTimeout(poll, every);
      }).catch(function () {
        live.textContent = 'cannot reach heal; showing the last cycle it reported';
        setTimeout(poll, every);
      });
    };
    setTimeout(poll, every);
  }
})();
