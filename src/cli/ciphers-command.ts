import { availableSuites, DEFAULT_SUITES, TLS_VERSIONS } from '../tls/suites.ts';

/** `tls-sst-bench ciphers`: the suites this Node/OpenSSL can run, by TLS version. Pure. */
export function ciphersText(): string {
  const suites = availableSuites();
  const out = [`Node ${process.version}, OpenSSL ${process.versions.openssl}`];
  for (const v of [...TLS_VERSIONS].reverse()) {
    out.push('', `TLS ${v}  (pass with --tls ${v} --suites NAME; * = default)`);
    for (const s of suites.filter((x) => x.version === v)) {
      const mark = DEFAULT_SUITES[v].includes(s.name) ? '*' : ' ';
      const key = v === '1.2' ? `  key ${s.keyTypes.join('|')}` : '';
      out.push(`  ${mark} ${s.name}${key}`);
    }
  }
  out.push('', 'Names are case-sensitive and in OpenSSL spelling; TLS 1.3 names start with TLS_.');
  return out.join('\n');
}
