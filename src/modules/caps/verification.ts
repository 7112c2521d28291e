// XEP-0115 §5.1 verification string, computed from a disco#info <query/>, with the §5.4 checks
// that make a response ill-formed. Pure functions: no I/O.
import { createHash } from 'node:crypto';
import type { Element } from '../../xml/element.js';


/** §5.4 step 2: the hash functions we can verify, by their IANA names (as in the 'hash' attribute). */
const HASHES: ReadonlyMap<string, string> = new Map([
  ['sha-1', 'sha1'],
  ['sha-256', 'sha256'],
]);

export function isSupportedHash(name: string): boolean {
  return HASHES.has(name);
}

/** §5.1: all sorting uses "i;octet" collation, i.e. by UTF-8 bytes (not UTF-16 code units). */
function octetCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function compareTuples(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const order = octetCompare(a[i] ?? '', b[i] ?? '');
    if (order !== 0) return order;
  }
  return a.length - b.length;
}

function attr(el: Element, name: string): string {
  return (el.attrs[name] as string | undefined) ?? '';
}

const hasDuplicates = (values: readonly string[]): boolean => new Set(values).size !== values.length;

/** The features a response lists, sorted; what gets stored for a verified 'ver'. */
export function discoFeatures(query: Element): string[] {
  return query
    .getChildren('feature')
    .map((f) => attr(f, 'var'))
    .sort(octetCompare);
}

/** The §5.1 string S, or undefined when §5.4 (steps 3.3 to 3.5) calls the response ill-formed. */
export function verificationString(query: Element): string | undefined {
  // §5.1 steps 2-3: identities by category, type, xml:lang; each as category/type/lang/name<.
  const identities = query
    .getChildren('identity')
    .map((i) => [attr(i, 'category'), attr(i, 'type'), attr(i, 'xml:lang'), attr(i, 'name')])
    .sort(compareTuples);
  if (hasDuplicates(identities.map((i) => JSON.stringify(i)))) return undefined;
  // §5.1 steps 4-5.
  const features = discoFeatures(query);
  if (hasDuplicates(features)) return undefined;

  const forms = dataForms(query);
  if (!forms) return undefined;

  let s = '';
  for (const identity of identities) s += `${identity.join('/')}<`;
  for (const feature of features) s += `${feature}<`;
  // §5.1 steps 6-7: forms by FORM_TYPE; fields by var; each field's values sorted.
  for (const form of forms) {
    s += `${form.formType}<`;
    for (const field of form.fields) {
      s += `${field.name}<`;
      for (const value of field.values) s += `${value}<`;
    }
  }
  return s;
}

interface FormFacts {
  formType: string;
  fields: Array<{ name: string; values: string[] }>;
}

/** XEP-0128 forms as §5.1 hashes them, sorted; undefined when §5.4 step 3.5 calls them ill-formed. */
function dataForms(query: Element): FormFacts[] | undefined {
  const forms: FormFacts[] = [];
  for (const form of query.getChildren('x')) {
    const fields = form.getChildren('field');
    const formTypeField = fields.find((f) => attr(f, 'var') === 'FORM_TYPE');
    // §5.4 step 3.6: a form without a hidden FORM_TYPE is ignored, the rest still counts.
    if (!formTypeField || attr(formTypeField, 'type') !== 'hidden') continue;
    const formTypes = new Set(formTypeField.getChildren('value').map((v) => v.getText()));
    const [formType] = formTypes;
    if (formType === undefined) continue; // a FORM_TYPE without a value names no form type either
    // §5.4 step 3.5: FORM_TYPE with differing values.
    if (formTypes.size > 1) return undefined;
    forms.push({
      formType,
      fields: fields
        .filter((f) => f !== formTypeField)
        .map((f) => ({ name: attr(f, 'var'), values: f.getChildren('value').map((v) => v.getText()).sort(octetCompare) }))
        .sort((a, b) => octetCompare(a.name, b.name)),
    });
  }
  // §5.4 step 3.5: two forms with the same FORM_TYPE.
  if (hasDuplicates(forms.map((f) => f.formType))) return undefined;
  return forms.sort((a, b) => octetCompare(a.formType, b.formType));
}

/** §5.1 steps 8-9: base64 of the hash of S in UTF-8; undefined when ill-formed or unsupported. */
export function computeVer(query: Element, hashName: string): string | undefined {
  const algorithm = HASHES.get(hashName);
  const s = verificationString(query);
  if (algorithm === undefined || s === undefined) return undefined;
  return createHash(algorithm).update(s, 'utf8').digest('base64');
}
