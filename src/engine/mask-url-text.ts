// A scheme as typed, or mistyped: "postgres://", "postgres:", "postgres//".
const SCHEME = /^\s*(?:[a-z][a-z0-9+.-]*:(?:\/\/)?|[a-z][a-z0-9+.-]*\/\/)?/i;
// With no "@", a ":" after the host that is not followed by a port may start a password
// whose "@host" is missing ("postgres://user:secret/db"): everything up to "?" is masked.
const NO_AT = /^(\s*(?:[a-z][a-z0-9+.-]*:(?:\/\/)?|[a-z][a-z0-9+.-]*\/\/)?[^/?#:\[]*):(?!\d*(?:[/?#]|$))[^?#]*/i;
// libpq also takes the password as a query parameter.
const QUERY_PASSWORD = /([?&](?:ssl)?password=)[^&#]*/gi;

/**
 * Replaces the password in a URL-like string by `***`, for messages about input that may
 * not parse. It assumes the worst of malformed input: everything between the user name and
 * the *last* `@` is password (`postgres://u:p@ss@h/db`), also when `//` or the scheme is
 * missing (`postgres:u:pw@h`, `postgres//u:pw@h`, `u:pw@h/db`); without any `@`, a `:` that
 * is not followed by a port masks the rest up to the query (`postgres://u:pw/db`); a
 * `password=` query parameter is masked too. Over-masking is safe, under-masking is not.
 *
 * @example
 * ```ts
 * maskUrlText("postgres:app:s3cret@db/app"); // "postgres:app:***@db/app"
 * maskUrlText("app:s3cret@db/app");          // "app:***@db/app"
 * ```
 */
export function maskUrlText(text: string): string {
  let masked = text;
  const at = text.lastIndexOf("@");
  if (at >= 0) {
    const head = text.slice(0, at);
    const scheme = SCHEME.exec(head)?.[0] ?? "";
    const rest = head.slice(scheme.length);
    // In "u:pw@h" or "u:p:w@h" the "scheme" is the user name: all after it is masked. After a
    // real scheme ("postgres:", anything with "//"), the user name ends at the first ":".
    const userFirst = scheme.trim() === "" || scheme.endsWith("//") || /^\s*postgres(?:ql)?:$/i.test(scheme);
    const colon = userFirst ? rest.indexOf(":") : -1;
    if (colon >= 0) masked = `${scheme}${rest.slice(0, colon)}:***${text.slice(at)}`;
    else if (!userFirst && rest !== "") masked = `${scheme}***${text.slice(at)}`;
  } else {
    masked = text.replace(NO_AT, "$1:***");
  }
  return masked.replace(QUERY_PASSWORD, "$1***");
}

/**
 * Masks the password of every URL-like word in free text (error messages, stacks), with the
 * rules of {@link maskUrlText} applied to each whitespace-separated word that holds an `@`
 * or starts like a URL. Best effort: Athanor's own messages never hold an unmasked URL; this
 * is the CLI's last line for text from elsewhere (a password with an unencoded space spans
 * two words, and only the first is masked).
 *
 * @example
 * ```ts
 * scrubUrls('cannot connect to "postgres//app:s3cret@db/app"'); // 'cannot connect to "postgres//app:***@db/app"'
 * ```
 */
export function scrubUrls(text: string): string {
  return text.replace(/[^\s"'`<>()[\]{},]+/g, (word) => (word.includes("@") || /^[a-z][a-z0-9+.-]*:\/?\//i.test(word) || /[?&](?:ssl)?password=/i.test(word) ? maskUrlText(word) : word));
}
