// XEP-0004 data forms that Herald sends as information (type 'result'), e.g. XEP-0128 extended
// disco information; the FORM_TYPE field (XEP-0068) comes first and is hidden.
import { xml, type Element } from '../xml/element.js';
import { NS } from '../xml/ns.js';

export interface FormField {
  var: string;
  /** XEP-0004 §3.3 field type; omitted means text-single. */
  type?: 'text-single' | 'text-multi' | 'text-private' | 'list-single' | 'list-multi' | 'jid-multi' | 'boolean' | 'hidden';
  values: readonly string[];
  /** What a person is shown (forms to fill in). */
  label?: string;
  /** The choices of a list field (forms to fill in). */
  options?: readonly string[];
}

/** `<x xmlns='jabber:x:data' type='result'>` with its FORM_TYPE and the fields in order. */
export function resultForm(formType: string, fields: readonly FormField[]): Element {
  return form('result', formType, fields);
}

/** The same as a filled-in form (type 'submit'), as XEP-0357 notifications carry their summary. */
export function submitForm(formType: string, fields: readonly FormField[]): Element {
  return form('submit', formType, fields);
}

/** A form for a person to fill in (type 'form', XEP-0004 §3.1), with labels and list options. */
export function fillableForm(formType: string, title: string, fields: readonly FormField[]): Element {
  const element = form('form', formType, fields);
  element.children.unshift(xml('title', null, title));
  return element;
}

/** The fields of a submitted form by var, each with its values (FORM_TYPE included). */
export function submittedValues(form: Element): Map<string, string[]> {
  const values = new Map<string, string[]>();
  for (const field of form.getChildren('field')) {
    const name = field.attrs.var as string | undefined;
    if (name !== undefined) values.set(name, field.getChildren('value').map((v) => v.getText()));
  }
  return values;
}

function form(type: 'result' | 'submit' | 'form', formType: string, fields: readonly FormField[]): Element {
  return xml(
    'x',
    { xmlns: NS.dataForms, type },
    xml('field', { var: 'FORM_TYPE', type: 'hidden' }, xml('value', null, formType)),
    ...fields.map((field) =>
      xml(
        'field',
        { var: field.var, type: field.type, label: field.label },
        ...(field.options ?? []).map((option) => xml('option', null, xml('value', null, option))),
        ...field.values.map((value) => xml('value', null, value)),
      ),
    ),
  );
}
