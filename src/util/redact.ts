/**
 * Scrubbing credentials out of free text (error messages, log lines) before it is written to a
 * file a person may share: run.json's `error`, logs. Structured data (samples, summaries) never
 * carries secrets in the first place; this is the net under the text that comes from elsewhere
 * (a child process's stderr, an exception message quoting a URL).
 */

const mask = '***';

/** `scheme://user:password@host` and `scheme://token@host` lose their userinfo. */
const urlUserinfo = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@'"<>]+@/gi;

/** An Authorization header's value, as it appears in dumped requests. */
const authorizationValue = /\b(authorization:\s*(?:basic|bearer|token)\s+)[^\s'",}]+/gi;

/**
 * Returns `text` with URL credentials, Authorization header values and every known secret (of
 * at least 8 characters: shorter ones would mask ordinary words) replaced by `***`.
 */
export function redactSecrets(text: string, secrets: Iterable<string | undefined> = []): string {
  let out = text.replace(urlUserinfo, `$1${mask}@`).replace(authorizationValue, `$1${mask}`);
  const known = [...secrets].filter((s): s is string => typeof s === 'string' && s.length >= 8).sort((a, b) => b.length - a.length);
  for (const secret of known) out = out.split(secret).join(mask);
  return out;
}
