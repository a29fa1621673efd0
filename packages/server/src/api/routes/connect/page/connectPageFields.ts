/**
 * The Connect page's form fields (plain ES2017, part of the page's one script, inside its closure): each input built
 * from a field description of GET /connect/session/integrations (see connectForm.ts) with its label, hint, prefix and
 * suffix, guide link and error line, and checked as the server checks it (providers/fieldDescriptions.ts: required
 * unless optional, allowed values, format, pattern) before anything is sent. A test runs both on the same cases.
 */
export const CONNECT_PAGE_FIELDS_JS = String.raw`
  var FORMATS = {
    hostname: { test: function (v) { return /^[A-Za-z0-9.-]+$/.test(v); }, name: "a host name (letters, digits, '.' and '-')" },
    uuid: { test: function (v) { return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v); }, name: 'a UUID' },
    email: { test: function (v) { return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v); }, name: 'an email address' },
    uri: { test: function (v) { try { new URL(v); return true; } catch (e) { return false; } }, name: 'a URL' }
  };

  /** The pattern compiled as the server compiles it; null when JavaScript cannot (the server does not check it either). */
  function patternOf(field) {
    if (!field.pattern) return null;
    try { return new RegExp(field.pattern); } catch (e) { return null; }
  }

  /** What is wrong with a value for a person to read, or null. Never repeats the value. */
  function problemOf(field, value) {
    var title = field.title;
    if (value === '') return field.optional || field.default_value !== null ? null : title + ' is required.';
    if (field.enum && field.enum.indexOf(value) < 0) return title + ' must be one of ' + field.enum.join(', ') + '.';
    var example = field.example && !field.secret ? ', e.g. ' + field.example : '';
    var format = field.format && Object.prototype.hasOwnProperty.call(FORMATS, field.format) ? FORMATS[field.format] : null;
    if (format && !format.test(value)) return title + ' must be ' + format.name + example + '.';
    var pattern = patternOf(field);
    if (pattern && !pattern.test(value)) {
      return title + ' is not in the expected form' + example + ' (it must match ' + field.pattern + ').';
    }
    return null;
  }

  /** An id for a field's input: the names the page always used for the common ones, else one from the name. */
  function inputId(group, field) {
    if (group === 'credentials' && field.name === 'apiKey') return 'api-key';
    if (group === 'credentials' && (field.name === 'username' || field.name === 'password')) return field.name;
    return (group === 'params' ? 'param-' : 'cred-') + field.name.replace(/[^A-Za-z0-9_-]/g, '_');
  }

  function textElement(tag, className, text, id) {
    var element = document.createElement(tag);
    if (className) element.className = className;
    if (id) element.id = id;
    element.textContent = text;
    return element;
  }

  /** One field: label (with "optional"), hint, guide link, the input between its prefix and suffix, its error line. */
  function buildField(group, field) {
    var id = inputId(group, field);
    var wrap = document.createElement('div');
    wrap.className = 'field';
    var label = textElement('label', '', field.title, id + '-label');
    label.htmlFor = id;
    if (field.optional) label.append(textElement('span', 'optional', ' (optional)'));
    wrap.append(label);
    var described = [];
    if (field.description) {
      wrap.append(textElement('p', 'hint', field.description, id + '-hint'));
      described.push(id + '-hint');
    }
    if (field.doc_url) {
      var guide = document.createElement('a');
      guide.href = field.doc_url;
      guide.target = '_blank';
      guide.rel = 'noopener noreferrer';
      guide.className = 'guide';
      guide.textContent = 'Where to find ' + field.title + ' (opens a new tab)';
      wrap.append(guide);
    }
    var input;
    if (field.enum) {
      input = document.createElement('select');
      if (field.optional) input.append(new Option('—', ''));
      field.enum.forEach(function (value) { input.append(new Option(value, value)); });
      input.value = field.default_value !== null ? field.default_value : field.optional ? '' : field.enum[0];
    } else {
      input = document.createElement('input');
      input.type = field.secret ? 'password' : 'text';
      input.autocomplete = field.name === 'username' ? 'username' : field.name === 'password' ? 'current-password' : 'off';
      input.spellcheck = false;
      if (field.example && !field.secret) input.placeholder = field.example;
      if (field.default_value !== null) input.value = field.default_value;
    }
    input.id = id;
    input.name = id;
    input.required = !field.optional && field.default_value === null;
    input.setAttribute('data-group', group);
    input.setAttribute('data-name', field.name);
    var row = document.createElement('div');
    row.className = 'affix';
    if (field.prefix) {
      row.append(textElement('span', 'prefix', field.prefix, id + '-prefix'));
      described.push(id + '-prefix');
    }
    row.append(input);
    if (field.suffix) {
      row.append(textElement('span', 'suffix', field.suffix, id + '-suffix'));
      described.push(id + '-suffix');
    }
    wrap.append(row);
    var error = textElement('p', 'field-error', '', id + '-error');
    wrap.append(error);
    described.push(id + '-error', 'form-error');
    input.setAttribute('aria-describedby', described.join(' '));
    input.field = field;
    return wrap;
  }

  /** Every input of the form, in order. */
  function inputs() { return Array.prototype.slice.call($('fields').querySelectorAll('input, select')); }

  function fieldError(input, message) {
    $(input.id + '-error').textContent = message || '';
    if (message) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }

  /**
   * The form's values by group (hidden credentials with their defaults), and each problem with its input. Text is
   * trimmed, but passwords are taken as typed.
   */
  function collect(integration) {
    var values = { params: {}, credentials: {} };
    var problems = [];
    inputs().forEach(function (input) {
      var field = input.field;
      var value = field.name === 'password' ? input.value : input.value.trim();
      var problem = problemOf(field, value);
      if (problem) problems.push({ input: input, message: problem, missing: value === '' });
      else if (value !== '') values[input.getAttribute('data-group')][field.name] = value;
      fieldError(input, problem);
    });
    integration.credentials.forEach(function (field) {
      if (field.hidden) values.credentials[field.name] = field.default_value !== null ? field.default_value : '';
    });
    return { values: values, problems: problems };
  }

  /**
   * Puts each part of a server's refusal that names a per-tenant field (params[x]) next to that field.
   * @returns the first input named, or null
   */
  function markNamed(message) {
    var named = null;
    message.replace(/^.*? is not valid: /, '').split('; ').forEach(function (part) {
      var match = /params\[([A-Za-z0-9_.-]+)\]/.exec(part);
      if (!match) return;
      inputs().forEach(function (input) {
        if (input.getAttribute('data-group') !== 'params' || input.getAttribute('data-name') !== match[1]) return;
        fieldError(input, part.replace(/^params\[[^\]]*\] /, ''));
        named = named || input;
      });
    });
    return named;
  }
`;
