/** A run of this many characters of a secret (or of one of its encodings) is taken for an echo of it. */
export const MIN_ECHO_LENGTH = 8;

const REDACTED = '[redacted]';

/**
 * `text` with every echo of `secrets` replaced by '[redacted]'. Providers echo what they were sent in their error
 * text, and not always as it was sent: URL- or form-encoded, base64 (alone or inside a longer base64 string, as in
 * a Basic header), or cut. So each secret is looked for as it is and in each of those encodings, whole (however
 * short) and in part (any run of at least MIN_ECHO_LENGTH characters of it).
 */
export function scrubSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  return secretScrubber(secrets)(text);
}

/**
 * scrubSecrets with the work that depends only on the secrets done once: for scrubbing many strings (an action's
 * log lines) with the same secrets.
 */
export function secretScrubber(secrets: readonly (string | undefined)[]): (text: string) => string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret === 'string' && secret !== '') for (const form of encodings(secret)) forms.add(form);
  }
  if (forms.size === 0) return (text) => text;
  // Long forms as runs (whole or in part, each as long as it goes, so a secret holding another goes whole); short
  // ones, which a run of MIN_ECHO_LENGTH cannot find, only whole, longest first.
  const long = [...forms].filter((form) => form.length >= MIN_ECHO_LENGTH);
  const short = [...forms].filter((form) => form.length < MIN_ECHO_LENGTH).sort((a, b) => b.length - a.length);
  const runs = long.length > 0 ? runScrubber(long, base64Forms(secrets)) : (text: string) => text;
  return (text) => short.reduce((out, form) => out.split(form).join(REDACTED), runs(text));
}

/** Every base64 form of the secrets, to know when a run is base64 and its neighbouring groups hold secret bits too. */
function base64Forms(secrets: readonly (string | undefined)[]): Set<string> {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret === '') continue;
    for (const form of encodings(secret).slice(3)) forms.add(form);
  }
  return forms;
}

/** The secret, URL- and form-encoded, and the parts of its base64 that do not depend on what came before it. */
function encodings(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const forms = [secret, encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2)];
  for (let offset = 0; offset < 3; offset++) {
    // Inside a longer base64 string the secret starts at one of three byte offsets; the characters that also
    // depend on its neighbours (the first group when offset > 0, the last one) are left out.
    const padded = Buffer.concat([Buffer.alloc(offset), bytes]);
    let base64 = padded.toString('base64').replace(/=+$/, '');
    if (offset > 0) base64 = base64.slice(4);
    base64 = base64.slice(0, Math.max(0, base64.length - 4));
    if (offset === 0) forms.push(bytes.toString('base64'), bytes.toString('base64url'));
    if (base64.length >= MIN_ECHO_LENGTH) forms.push(base64, base64.replaceAll('+', '-').replaceAll('/', '_'));
  }
  return forms.filter((form) => form !== '');
}

const BASE64_CHAR = /[A-Za-z0-9+/_=-]/;

/**
 * Replaces every run of MIN_ECHO_LENGTH or more characters of `text` that also occurs in one of `forms`. A run of
 * base64 takes the 4-character group on each side with it: those characters encode secret bits too.
 */
function runScrubber(forms: readonly string[], base64: ReadonlySet<string>): (text: string) => string {
  const grams = new Set<string>();
  for (const form of forms) {
    for (let i = 0; i + MIN_ECHO_LENGTH <= form.length; i++) grams.add(form.slice(i, i + MIN_ECHO_LENGTH));
  }
  return (text) => scrubRuns(text, forms, base64, grams);
}

function scrubRuns(text: string, forms: readonly string[], base64: ReadonlySet<string>, grams: ReadonlySet<string>): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (!grams.has(text.slice(i, i + MIN_ECHO_LENGTH))) {
      out += text[i];
      i++;
      continue;
    }
    let end = i + MIN_ECHO_LENGTH;
    while (end < text.length && forms.some((form) => form.includes(text.slice(i, end + 1)))) end++;
    const run = text.slice(i, end);
    if ([...base64].some((form) => form.includes(run))) {
      let before = 0;
      while (before < 4 && out.length > 0 && BASE64_CHAR.test(out.at(-1)!)) {
        out = out.slice(0, -1);
        before++;
      }
      for (let after = 0; after < 4 && end < text.length && BASE64_CHAR.test(text[end]!); after++) end++;
      while (end < text.length && text[end] === '=') end++;
    }
    out += REDACTED;
    i = end;
  }
  return out;
}
