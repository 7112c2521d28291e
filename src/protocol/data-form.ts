// XEP-0004 data forms that Herald sends as information (type 'result'), e.g. XEP-0128 extended
// disco information; the FORM_TYPE field (XEP-0068) comes first and is hidden.
import { xml, type Element } from '../xml/element.js';
import { NS } from '../xml/ns.js';

export interface FormField {
  var: string;
  /** XEP-0004 §3.3 field type; omitted means text-single. */
  type?: 'text-single' | 'text-multi' | 'list-single' | 'list-multi' | 'jid-multi' | 'boolean' | 'hidden';
  values: readonly string[];
}

/** `<x xmlns='jabber:x:data' type='result'>` with its FORM_TYPE and the fields in order. */
export function resultForm(formType: string, fields: readonly FormField[]): Element {
  return form('result', formType, fields);
}

/** The same as a filled-in form (type 'submit'), as XEP-0357 notifications carry their summary. */
export function submitForm(formType: string, fields: readonly FormField[]): Element {
  return form('submit', formType, fields);
}

function form(type: 'result' | 'submit', formType: string, fields: readonly FormField[]): Element {
  return xml(
    'x',
    { xmlns: NS.dataForms, type },
    xml('field', { var: 'FORM_TYPE', type: 'hidden' }, xml('value', null, formType)),
    ...fields.map((field) => xml('field', { var: field.var, type: field.type }, ...field.values.map((value) => xml('value', null, value)))),
  );
}
