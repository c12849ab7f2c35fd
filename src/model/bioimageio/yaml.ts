/*
 * A small YAML writer for the bioimage.io rdf.yaml: block mappings and sequences of JSON-like values.
 * bioimage.io requires the file to mean the same in YAML 1.1 and 1.2, so the writer only emits forms
 * both agree on: a string is written plain only when neither version could read it as anything else
 * (no leading digit, sign or dot, no yes/no/on/off/null words, no ':' or '#'), otherwise in double quotes
 * with JSON escapes (valid YAML); floats in exponent form get a '.' in the mantissa and a signed exponent
 * (YAML 1.1 reads "1e-7" as a string). Keys are plain identifiers or quoted.
 */

/** Values the writer accepts; `undefined` mapping values are left out (like JSON.stringify). */
export type YamlValue = null | boolean | number | string | readonly YamlValue[] | { readonly [key: string]: YamlValue | undefined };

/** Words YAML 1.1 reads as booleans or null (YAML 1.2 only true/false/null/~). */
const RESERVED = /^(?:y|n|yes|no|on|off|true|false|null|~)$/i;

/** Characters that may appear in a plain scalar without meaning anything to either YAML version. */
const PLAIN = /^[A-Za-z_/][A-Za-z0-9_./+() -]*$/;

function quote(s: string): string {
  // JSON string syntax is YAML double-quoted syntax; U+2028/9 are line breaks to YAML 1.1, so escape them.
  return JSON.stringify(s).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** A string scalar: plain when unambiguous, else double-quoted. */
export function yamlString(s: string): string {
  if (PLAIN.test(s) && !RESERVED.test(s) && !s.endsWith(' ')) return s;
  return quote(s);
}

/** A number scalar that YAML 1.1 and 1.2 both read as that number. */
export function yamlNumber(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`YAML: cannot write the non-finite number ${n}`);
  if (Object.is(n, -0)) return '0';
  const s = String(n);
  const e = s.indexOf('e');
  if (e < 0) return s;
  const mantissa = s.slice(0, e);
  const exponent = s.slice(e + 1);
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}e${/^[-+]/.test(exponent) ? exponent : `+${exponent}`}`;
}

function yamlKey(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) && !RESERVED.test(key) ? key : quote(key);
}

function isSequence(v: YamlValue): v is readonly YamlValue[] {
  return Array.isArray(v);
}

function isMapping(v: YamlValue): v is { readonly [key: string]: YamlValue | undefined } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function entriesOf(v: { readonly [key: string]: YamlValue | undefined }): [string, YamlValue][] {
  return Object.entries(v).filter((e): e is [string, YamlValue] => e[1] !== undefined);
}

/** The inline form of a scalar or an empty collection, or null for a collection that needs a block. */
function inline(v: YamlValue): string | null {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return yamlNumber(v);
  if (typeof v === 'string') return yamlString(v);
  if (isSequence(v)) return v.length === 0 ? '[]' : null;
  return entriesOf(v).length === 0 ? '{}' : null;
}

function block(v: YamlValue, indent: number, out: string[]): void {
  const pad = ' '.repeat(indent);
  if (isSequence(v)) {
    for (const item of v) {
      const scalar = inline(item);
      if (scalar !== null) {
        out.push(`${pad}- ${scalar}`);
        continue;
      }
      // A nested block whose first line is re-prefixed with "- ": "- key: value" / "- - item".
      const start = out.length;
      block(item, indent + 2, out);
      out[start] = `${pad}- ${out[start].slice(indent + 2)}`;
    }
    return;
  }
  if (!isMapping(v)) throw new Error('YAML: internal error, block() got a scalar');
  for (const [key, value] of entriesOf(v)) {
    const scalar = inline(value);
    if (scalar !== null) {
      out.push(`${pad}${yamlKey(key)}: ${scalar}`);
    } else {
      out.push(`${pad}${yamlKey(key)}:`);
      block(value, indent + 2, out);
    }
  }
}

/** The YAML document of a mapping or sequence, ending in a newline; `header` lines become comments. */
export function toYaml(value: YamlValue, header: readonly string[] = []): string {
  const out = header.map((line) => `# ${line}`);
  const scalar = inline(value);
  if (scalar !== null) out.push(scalar);
  else block(value, 0, out);
  return out.join('\n') + '\n';
}
