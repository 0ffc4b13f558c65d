// The server-rendered join form (join_page.rs) works before the app has arrived: it posts
// the same join the app would, keeps the credentials where the app looks for them, and
// moves the address to the board. The app, when it starts, waits for a join in flight
// (`data-busy` on #prejoin, then the `cafe-prejoin` event), takes over what was typed and
// removes #prejoin. Inline and static, so the Content-Security-Policy allows it by hash.
(function () {
  var root = document.getElementById('prejoin');
  var form = document.getElementById('prejoin-form');
  var input = document.getElementById('prejoin-name');
  if (!root || !form || !input) return;
  var t = JSON.parse(form.getAttribute('data-i18n'));
  var code = form.getAttribute('data-code');
  var err = document.getElementById('prejoin-error');
  var btn = document.getElementById('prejoin-join');
  function show(msg) {
    err.textContent = msg;
    err.hidden = false;
  }
  function settle() {
    root.removeAttribute('data-busy');
    window.dispatchEvent(new Event('cafe-prejoin'));
  }
  function failed(status, body, retry) {
    var c = body && body.code;
    var msg;
    if (c === 'rate_limited' || status === 429) {
      msg = t.rate_limited;
      var s = parseInt(retry || '', 10);
      if (s > 0) msg += ' ' + t.retry_in.replace('{n}', String(s));
    } else if (c === 'not_found') msg = t.no_cafe;
    else if (c === 'conflict') msg = t.name_taken;
    else if (c === 'limit_reached') msg = t.full;
    else if (c === 'not_allowed_in_phase') msg = t.closed;
    else msg = t.join_failed + (t.err[c] ? ' (' + t.err[c] + ')' : '');
    show(msg);
    btn.disabled = false;
    btn.textContent = t.join;
    settle();
  }
  // This phone already joined this café (a second scan of the QR): offer to go on as that
  // person, or to forget them and join anew ("Not you?"), never silently a second person.
  var cafe = form.getAttribute('data-cafe');
  var back = document.getElementById('prejoin-back');
  var saved = null;
  try { saved = JSON.parse(localStorage.getItem('cafe.creds.' + cafe) || 'null'); } catch (_) { saved = null; }
  if (back && cafe && saved && saved.token) {
    var who = saved.name || '';
    var go = document.getElementById('prejoin-continue');
    document.getElementById('prejoin-back-title').textContent =
      who ? t.welcome_back.replace('{name}', who) : t.welcome_back_plain;
    go.textContent = who ? t.continue_as.replace('{name}', who) : t.continue_plain;
    form.hidden = true;
    back.hidden = false;
    root.setAttribute('data-known', '1');
    go.addEventListener('click', function (e) {
      // Like a join that just succeeded: the app, when it starts, opens the board.
      e.preventDefault();
      history.replaceState(null, '', '/c/' + encodeURIComponent(cafe));
      root.setAttribute('data-joined', '1');
      go.textContent = t.opening;
      settle();
    });
    document.getElementById('prejoin-not-you').addEventListener('click', function () {
      try {
        for (var i = localStorage.length - 1; i >= 0; i--) {
          var k = localStorage.key(i);
          if (k === 'cafe.creds.' + cafe || k.indexOf('cafe.state.' + cafe + '.me') === 0 ||
              k.indexOf('cafe.outbox.' + cafe + '.me') === 0) localStorage.removeItem(k);
        }
      } catch (_) { /* private mode: nothing was kept */ }
      root.removeAttribute('data-known');
      back.hidden = true;
      form.hidden = false;
      input.focus();
    });
  }
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    if (root.hasAttribute('data-busy')) return;
    var name = input.value.trim();
    if (!name) {
      show(t.need_name);
      return;
    }
    var picked = form.querySelector('input[name=loc]:checked');
    root.setAttribute('data-busy', '1');
    err.hidden = true;
    btn.disabled = true;
    btn.textContent = t.joining;
    fetch('/api/cafes/by-code/' + encodeURIComponent(code) + '/join', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: name, location: picked ? picked.value : 'room' }),
    }).then(function (r) {
      return r.json().catch(function () { return null; }).then(function (body) {
        if (!r.ok || !body || !body.token) return failed(r.status, body, r.headers.get('retry-after'));
        try {
          localStorage.setItem('cafe.creds.' + body.cafe_id, JSON.stringify({
            token: body.token, name: name, code_display: t.code_display,
          }));
        } catch (_) { /* private mode: the app asks again */ }
        history.replaceState(null, '', '/c/' + encodeURIComponent(body.cafe_id));
        root.setAttribute('data-joined', '1');
        btn.textContent = t.opening;
        settle();
      });
    }, function () {
      show(t.network);
      btn.disabled = false;
      btn.textContent = t.join;
      settle();
    });
  });
})();
