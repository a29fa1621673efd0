/**
 * The Connect page's script (plain ES2017, no framework, no external request). It reads the session token from
 * `?session_token=` or, inside openConnectUI's iframe, from the parent's `{ type: 'session_token' }` message
 * (contract B.6), loads the session and its integrations from this server, and connects one: OAuth in a popup with
 * the WebSocket result, as the frontend SDK does; API key and username/password with a form posted to /api-auth.
 * Every outcome is posted to the parent frame as the official Connect UI's events: `ready`, `connect`, `error`,
 * `close`.
 */
export const CONNECT_PAGE_JS = String.raw`(function () {
  'use strict';
  var MODES = { OAUTH2: 'OAuth', OAUTH1: 'OAuth', API_KEY: 'API key', BASIC: 'Username and password' };
  var query = new URLSearchParams(location.search);
  var framed = window.parent !== window;
  var token = query.get('session_token') || '';
  var detectClosed = query.get('detectClosedAuthWindow') === 'true';
  var busy = false;
  var current = null;

  function $(id) { return document.getElementById(id); }
  function show(id, visible) { $(id).hidden = !visible; }
  function post(event) { if (framed) window.parent.postMessage(event, '*'); }
  function setStatus(text, kind) {
    var status = $('status');
    status.textContent = text;
    status.className = 'status' + (kind ? ' ' + kind : '');
  }
  function focus(id) { var el = $(id); if (el) el.focus(); }
  function failed(errorType, errorMessage) { post({ type: 'error', payload: { errorType: errorType, errorMessage: errorMessage } }); }

  /** What a person reads for an error the server or the browser reported. */
  function explain(type, message, name) {
    switch (type) {
      case 'invalid_connect_session': return 'This connect link has expired or is no longer valid. Go back to the app and start again.';
      case 'integration_not_allowed': return 'This link does not allow connecting ' + name + '.';
      case 'connection_test_failed': return name + ' refused these credentials. Check them and try again.';
      case 'invalid_credentials': return 'Fill in every field, then try again.';
      case 'window_closed': return 'The sign-in window was closed before you finished. Try again when you are ready.';
      case 'blocked_by_browser': return 'Your browser blocked the sign-in window. Allow pop-ups for this page and try again.';
      case 'callback_err':
        return /access_denied/.test(message)
          ? 'You declined access at ' + name + ', so nothing was connected. You can try again.'
          : 'The sign-in at ' + name + ' did not complete: ' + message;
      default: return 'Could not connect ' + name + ': ' + message;
    }
  }

  function api(path, init) {
    init = init || {};
    init.headers = Object.assign({ Authorization: 'Bearer ' + token }, init.headers || {});
    return fetch(path, init).then(function (response) {
      return response.text().then(function (text) {
        var body = null;
        try { body = JSON.parse(text); } catch (e) { body = null; }
        return { status: response.status, body: body };
      });
    });
  }

  function expired() {
    show('integrations', false);
    show('credentials', false);
    show('done', false);
    $('title').textContent = 'This link has expired';
    setStatus(explain('invalid_connect_session', '', ''), 'error');
    failed('invalid_connect_session', 'The connect session is unknown or has expired');
    focus('title');
  }

  function start() {
    if (!token) return;
    setStatus('Loading…');
    api('/connect/session').then(function (reply) {
      if (reply.status === 401) return expired();
      if (reply.status !== 200 || !reply.body) throw new Error('the session could not be read (HTTP ' + reply.status + ')');
      var session = reply.body.data;
      if (session.end_user) {
        var who = session.end_user.display_name || session.end_user.email || session.end_user.id;
        $('who').textContent = 'For ' + who + (session.organization && session.organization.display_name ? ' at ' + session.organization.display_name : '');
        show('who', true);
      }
      return api('/connect/session/integrations').then(function (list) {
        if (list.status === 401) return expired();
        if (list.status !== 200 || !list.body) throw new Error('the integrations could not be read (HTTP ' + list.status + ')');
        render(list.body.data);
      });
    }).catch(function (error) {
      setStatus('Something went wrong: ' + error.message + '. Reload the page to try again.', 'error');
      failed('unknown_error', String(error.message));
    });
  }

  function render(integrations) {
    var list = $('integrations');
    list.textContent = '';
    integrations.forEach(function (integration) {
      var item = document.createElement('li');
      var button = document.createElement('button');
      button.type = 'button';
      button.setAttribute('data-key', integration.unique_key);
      var name = document.createElement('span');
      name.textContent = integration.display_name;
      var mode = document.createElement('span');
      mode.className = 'mode';
      mode.textContent = MODES[integration.auth_mode] || integration.auth_mode;
      button.append(name, mode);
      button.setAttribute('aria-label', 'Connect ' + integration.display_name + ' (' + mode.textContent + ')');
      button.addEventListener('click', function () { choose(integration); });
      item.append(button);
      list.append(item);
    });
    show('integrations', integrations.length > 0);
    setStatus(integrations.length > 0 ? 'Choose what to connect.' : 'There is nothing to connect with this link.', integrations.length > 0 ? '' : 'error');
  }

  function choose(integration) {
    if (busy) return;
    current = integration;
    if (integration.auth_mode === 'OAUTH2' || integration.auth_mode === 'OAUTH1') runOAuth(integration);
    else showForm(integration);
  }

  function connected(integration, connectionId) {
    busy = false;
    show('integrations', false);
    show('credentials', false);
    $('done-title').textContent = integration.display_name + ' is connected.';
    show('done', true);
    setStatus('Connected ' + integration.display_name + '.', 'ok');
    post({ type: 'connect', payload: { providerConfigKey: integration.unique_key, connectionId: connectionId, isPending: false } });
    focus('done-title');
  }

  function flowFailed(integration, type, message) {
    busy = false;
    setStatus(explain(type, message, integration.display_name), 'error');
    failed(type, message);
    if (type === 'invalid_connect_session') return expired();
    var button = document.querySelector('[data-key="' + CSS.escape(integration.unique_key) + '"]');
    if (button) button.focus();
  }

  function runOAuth(integration) {
    var popup = window.open('', 'nango_connect', 'width=500,height=600');
    if (!popup) return flowFailed(integration, 'blocked_by_browser', 'The browser blocked the sign-in window');
    busy = true;
    setStatus('Waiting for ' + integration.display_name + ' in the sign-in window…');
    var settled = false;
    var closedAt = 0;
    var socket = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/');
    var poll = setInterval(function () {
      if (settled || !popup.closed) return;
      closedAt = closedAt || Date.now();
      // A result may still be on its way: the callback page closes itself right after the frame is sent.
      if (Date.now() - closedAt > (detectClosed ? 500 : 1500)) settle('window_closed', 'The sign-in window was closed before the flow finished');
    }, 250);
    function settle(type, message, connectionId) {
      if (settled) return;
      settled = true;
      clearInterval(poll);
      if (socket.readyState <= 1) socket.close();
      if (type === null) connected(integration, connectionId);
      else flowFailed(integration, type, message);
    }
    socket.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (frame.message_type === 'connection_ack') {
        popup.location.href = location.origin + '/oauth/connect/' + encodeURIComponent(integration.unique_key) +
          '?connect_session_token=' + encodeURIComponent(token) + '&ws_client_id=' + encodeURIComponent(frame.ws_client_id);
      } else if (frame.message_type === 'success') {
        settle(null, '', frame.connection_id);
      } else if (frame.message_type === 'error') {
        settle(frame.error_type || 'unknown_error', frame.error_desc || 'The sign-in failed');
      }
    };
    socket.onerror = function () {
      popup.close();
      settle('unknown_error', 'The connection to the server could not be opened');
    };
  }

  function field(id, label, type, autocomplete) {
    var wrap = document.createElement('div');
    var labelEl = document.createElement('label');
    labelEl.htmlFor = id;
    labelEl.textContent = label;
    var input = document.createElement('input');
    input.id = id;
    input.name = id;
    input.type = type;
    input.required = true;
    input.autocomplete = autocomplete;
    input.spellcheck = false;
    input.setAttribute('aria-describedby', 'form-error');
    wrap.append(labelEl, input);
    return wrap;
  }

  function showForm(integration) {
    var fields = $('fields');
    fields.textContent = '';
    if (integration.auth_mode === 'API_KEY') fields.append(field('api-key', 'API key', 'password', 'off'));
    else fields.append(field('username', 'Username', 'text', 'username'), field('password', 'Password', 'password', 'current-password'));
    $('form-title').textContent = 'Connect ' + integration.display_name;
    $('form-error').textContent = '';
    show('integrations', false);
    show('credentials', true);
    setStatus('');
    fields.querySelector('input').focus();
  }

  function inputs() { return Array.prototype.slice.call($('fields').querySelectorAll('input')); }

  function formError(type, message) {
    $('form-error').textContent = explain(type, message, current.display_name);
    inputs().forEach(function (input) { input.setAttribute('aria-invalid', 'true'); });
    var first = inputs().filter(function (input) { return !input.value; })[0] || inputs()[0];
    first.focus();
  }

  function submit(event) {
    event.preventDefault();
    if (busy || !current) return;
    var integration = current;
    if (inputs().some(function (input) { return !input.value.trim(); })) return formError('invalid_credentials', 'Every field is required');
    var apiKey = integration.auth_mode === 'API_KEY';
    var body = apiKey ? { apiKey: $('api-key').value.trim() } : { username: $('username').value, password: $('password').value };
    var path = '/api-auth/' + (apiKey ? 'api-key/' : 'basic/') + encodeURIComponent(integration.unique_key) + '?connect_session_token=' + encodeURIComponent(token);
    busy = true;
    $('submit').disabled = true;
    $('form-error').textContent = '';
    setStatus('Checking…');
    fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
      .then(function (response) { return response.json().then(function (json) { return { ok: response.ok, json: json }; }); })
      .then(function (reply) {
        busy = false;
        $('submit').disabled = false;
        if (reply.ok) return connected(integration, reply.json.connectionId);
        var error = (reply.json && reply.json.error) || { code: 'unknown_error', message: 'The server refused the request' };
        setStatus('');
        failed(error.code, error.message);
        if (error.code === 'invalid_connect_session') return expired();
        formError(error.code, error.message);
      })
      .catch(function (error) {
        busy = false;
        $('submit').disabled = false;
        setStatus('');
        formError('unknown_error', String(error.message));
      });
  }

  function back() {
    show('credentials', false);
    show('done', false);
    show('integrations', true);
    setStatus('Choose what to connect.');
    var first = $('integrations').querySelector('button');
    if (first) first.focus();
  }

  function close() { post({ type: 'close' }); }

  $('credentials').addEventListener('submit', submit);
  $('back').addEventListener('click', back);
  $('again').addEventListener('click', back);
  $('close').addEventListener('click', close);
  document.addEventListener('keydown', function (event) { if (event.key === 'Escape' && framed) close(); });
  window.addEventListener('message', function (event) {
    if (event.source !== window.parent || !event.data || event.data.type !== 'session_token') return;
    if (typeof event.data.sessionToken !== 'string' || event.data.sessionToken === token) return;
    token = event.data.sessionToken;
    start();
  });
  if (framed) {
    document.documentElement.className = 'framed';
    show('close', true);
    post({ type: 'ready' });
  }
  if (token) start();
  else if (!framed) {
    $('title').textContent = 'No connect session';
    setStatus('Open this page from the link the app gave you (it carries ?session_token=…).', 'error');
  } else setStatus('Waiting for the session…');
})();
`;
