import { CONNECT_PAGE_FIELDS_JS } from './connectPageFields';

/**
 * The Connect page's script (plain ES2017, no framework, no external request). It reads the session token from
 * `?session_token=` or, inside openConnectUI's iframe, from the parent's `{ type: 'session_token' }` message
 * (contract B.6), loads the session and its integrations from this server, and connects one: a form first when the
 * catalog describes per-tenant values to ask (connection_config) or the mode takes typed credentials (its
 * `credentials` descriptions), checked in the page as the server checks them; then OAuth in a popup with the
 * WebSocket result, as the frontend SDK does, or the credentials posted to the mode's route (contract B.4). Every
 * outcome is posted to the parent frame as the official Connect UI's events: `ready`, `connect`, `error`, `close`.
 */
export const CONNECT_PAGE_JS = String.raw`(function () {
  'use strict';
  var MODES = {
    OAUTH2: 'OAuth', OAUTH1: 'OAuth', APP: 'GitHub App', CUSTOM: 'GitHub App', MCP_OAUTH2: 'OAuth', MCP_OAUTH2_GENERIC: 'OAuth',
    API_KEY: 'API key', BASIC: 'Username and password', SIGNATURE: 'Username and password', OAUTH2_CC: 'Client credentials',
    TWO_STEP: 'Credentials', JWT: 'Private key', TBA: 'Token', BILL: 'Credentials', AWS_SIGV4: 'AWS role', NONE: 'No sign-in'
  };
  /** Modes whose sign-in runs at the provider, in a popup (/oauth/connect). */
  var POPUP = { OAUTH2: 1, OAUTH1: 1, APP: 1, CUSTOM: 1, MCP_OAUTH2: 1, MCP_OAUTH2_GENERIC: 1, INSTALL_PLUGIN: 1 };
  /** Where each other mode posts its credentials (contract B.4, what frontend 0.71's auth() posts to). */
  var ROUTES = {
    API_KEY: '/api-auth/api-key/', BASIC: '/api-auth/basic/', OAUTH2_CC: '/oauth2/auth/', TWO_STEP: '/auth/two-step/',
    JWT: '/auth/jwt/', TBA: '/auth/tba/', BILL: '/auth/bill/', SIGNATURE: '/auth/signature/', AWS_SIGV4: '/auth/aws-sigv4/',
    NONE: '/auth/unauthenticated/'
  };
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
${CONNECT_PAGE_FIELDS_JS}

  /** What a person reads for an error the server or the browser reported. */
  function explain(type, message, name) {
    switch (type) {
      case 'invalid_connect_session': return 'This connect link has expired or is no longer valid. Go back to the app and start again.';
      case 'integration_not_allowed': return 'This link does not allow connecting ' + name + '.';
      case 'connection_test_failed': return name + ' refused these credentials. Check them and try again.';
      case 'credentials_check_failed': return name + ' could not check these credentials just now. Try again in a moment.';
      case 'invalid_credentials': return 'Fill in every field, then try again.';
      case 'invalid_connection_config': return 'Check the fields marked above, then try again.';
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

  /** The fields a person fills for an integration: its per-tenant values, then the credentials shown. */
  function asked(integration) {
    return integration.connection_config.concat(integration.credentials.filter(function (field) { return !field.hidden; }));
  }

  function choose(integration) {
    if (busy) return;
    current = integration;
    // A sign-in with nothing to ask goes straight to the provider; anything else shows its form first.
    if (POPUP[integration.auth_mode] && asked(integration).length === 0) runOAuth(integration, {});
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
    $('submit').disabled = false;
    failed(type, message);
    if (type === 'invalid_connect_session') return expired();
    if (!$('credentials').hidden) {
      setStatus('');
      return formError(type, message);
    }
    setStatus(explain(type, message, integration.display_name), 'error');
    var button = document.querySelector('[data-key="' + CSS.escape(integration.unique_key) + '"]');
    if (button) button.focus();
  }

  function runOAuth(integration, params) {
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
          '?connect_session_token=' + encodeURIComponent(token) + paramsQuery(params) +
          '&ws_client_id=' + encodeURIComponent(frame.ws_client_id);
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

  /** The query part params[name]=value for each per-tenant value, encoded. */
  function paramsQuery(params) {
    return Object.keys(params).map(function (name) {
      return '&' + encodeURIComponent('params[' + name + ']') + '=' + encodeURIComponent(params[name]);
    }).join('');
  }

  function showForm(integration) {
    var fields = $('fields');
    fields.textContent = '';
    integration.connection_config.forEach(function (field) { fields.append(buildField('params', field)); });
    integration.credentials.forEach(function (field) { if (!field.hidden) fields.append(buildField('credentials', field)); });
    $('form-title').textContent = 'Connect ' + integration.display_name;
    show('form-intro', !fields.firstChild);
    $('form-intro').textContent = fields.firstChild ? '' : integration.display_name + ' needs nothing from you: Connect makes the connection.';
    $('form-error').textContent = '';
    var docs = integration.docs_connect;
    show('docs', Boolean(docs));
    if (docs) {
      $('docs-link').href = docs;
      $('docs-link').textContent = 'How to connect ' + integration.display_name + ' (opens a new tab)';
    }
    $('submit').textContent = POPUP[integration.auth_mode] ? 'Continue to ' + integration.display_name : 'Connect';
    show('integrations', false);
    show('credentials', true);
    setStatus('');
    var first = fields.querySelector('input, select');
    if (first) first.focus();
    else $('submit').focus();
  }

  /** A refusal said next to the form; the fields it is about marked, the first of them focused. */
  function formError(type, message) {
    $('form-error').textContent = explain(type, message, current.display_name);
    var named = type === 'invalid_connection_config' ? markNamed(message) : null;
    // A refusal of the credentials is about them, not the per-tenant values beside them.
    var credentials = inputs().filter(function (input) { return input.getAttribute('data-group') === 'credentials'; });
    if (!named) (credentials.length > 0 ? credentials : inputs()).forEach(function (input) { input.setAttribute('aria-invalid', 'true'); });
    var first = named || inputs().filter(function (input) { return !input.value; })[0] || credentials[0] || inputs()[0];
    if (first) first.focus();
  }

  function submit(event) {
    event.preventDefault();
    if (busy || !current) return;
    var integration = current;
    $('form-error').textContent = '';
    var collected = collect(integration);
    if (collected.problems.length > 0) {
      var missing = collected.problems.every(function (problem) { return problem.missing; });
      $('form-error').textContent = missing ? 'Fill in every field, then try again.' : 'Check the fields marked above, then try again.';
      collected.problems[0].input.focus();
      return;
    }
    // Checked: only now does anything leave the page (the popup opens from this very click or key press).
    if (POPUP[integration.auth_mode]) return runOAuth(integration, collected.values.params);
    sendCredentials(integration, collected.values);
  }

  /** The body each mode's route takes (contract B.4). */
  function bodyOf(mode, credentials) {
    if (mode === 'NONE') return null;
    if (mode === 'TWO_STEP' || mode === 'JWT' || mode === 'SIGNATURE') return Object.assign({ type: mode }, credentials);
    return credentials;
  }

  function sendCredentials(integration, values) {
    var route = ROUTES[integration.auth_mode];
    if (!route) return formError('auth_mode_err', 'This page cannot connect ' + integration.auth_mode + ' integrations');
    var path = route + encodeURIComponent(integration.unique_key) + '?connect_session_token=' + encodeURIComponent(token) +
      paramsQuery(values.params);
    var body = bodyOf(integration.auth_mode, values.credentials);
    busy = true;
    $('submit').disabled = true;
    setStatus('Checking…');
    var init = { method: 'POST' };
    if (body) {
      init.headers = { 'Content-Type': 'application/json' };
      init.body = JSON.stringify(body);
    }
    fetch(path, init)
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
