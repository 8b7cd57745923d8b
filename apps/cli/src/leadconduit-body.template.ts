import { soleVariable, type ValuePart } from './leadconduit-value.template';

/**
 * LeadConduit builds its request bodies by "unflattening" dotted setting names into a document
 * (`submission.phones.0` → `{ submission: { phones: [ … ] } }`, a number making an array) and
 * then dropping empty array slots (their `compact`); see activeprospect/leadconduit-integration-custom
 * lib/normalize.js, lib/compact.js, lib/json.js, lib/xml-doc.js, lib/form.js. The same is done
 * here at import time, and the document is written as a leadrelay template that renders, for a
 * lead, the body LeadConduit would have sent.
 */
export class Leaf {
  constructor(
    readonly parts: ValuePart[],
    readonly constant?: string | number | boolean,
  ) {}
}

// Plain objects and arrays, not Maps: JavaScript's own key order (integer-like keys first) is
// what LeadConduit's JSON.stringify and querystring produce, so it must be the same here.
export type Node = Leaf | Node[] | { [key: string]: Node };

const isContainer = (n: Node | undefined): n is Node[] | { [key: string]: Node } => typeof n === 'object' && !(n instanceof Leaf);
const INDEX = /^\d+$/;

/** Builds the document from `[dotted path, value]` pairs; a path that collides with another is a problem. */
export function unflatten(entries: [string, Leaf][], problems: string[], group: string): { [key: string]: Node } {
  const root: { [key: string]: Node } = {};
  for (const [path, leaf] of entries) {
    const keys = path.split('.').filter((k) => k !== '');
    let node: { [key: string]: Node } | Node[] = root;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      const slot = node as Record<string, Node>;
      if (i === keys.length - 1) {
        if (slot[key] !== undefined) problems.push(`${group}.${path}: '${keys.slice(0, i + 1).join('.')}' is already set by another ${group} setting`);
        else slot[key] = leaf;
        break;
      }
      if (slot[key] === undefined) slot[key] = INDEX.test(keys[i + 1]) ? [] : {};
      const next: Node = slot[key];
      if (!isContainer(next)) {
        problems.push(`${group}.${path}: '${keys.slice(0, i + 1).join('.')}' is already a value`);
        break;
      }
      node = next;
    }
  }
  return compact(root) as { [key: string]: Node };
}

/** LeadConduit's compact: arrays lose empty slots and empty constants (lodash `_.compact`). */
function compact(node: Node): Node {
  if (node instanceof Leaf) return node;
  if (Array.isArray(node)) return node.filter((n) => n !== undefined && !(n instanceof Leaf && n.constant !== undefined && !n.constant)).map(compact);
  for (const key of Object.keys(node)) node[key] = compact(node[key]);
  return node;
}

/** LeadConduit's JSON body: a root of numbered paths only is an array; written without spaces. */
export function jsonTemplate(root: { [key: string]: Node }): string {
  const keys = Object.keys(root);
  const document = keys.length > 0 && keys.every((k) => INDEX.test(k)) ? compact(keys.map((k) => root[k])) : root;
  return jsonOf(document);
}

function jsonOf(node: Node): string {
  if (node instanceof Leaf) return jsonLeaf(node);
  if (Array.isArray(node)) return `[${node.map(jsonOf).join(',')}]`;
  return `{${Object.entries(node).map(([key, value]) => `${JSON.stringify(key)}:${jsonOf(value)}`).join(',')}}`;
}

/** A lone variable keeps its type (`{{json x}}`: a number stays a number); anything else is a string. */
function jsonLeaf(leaf: Leaf): string {
  if (leaf.constant !== undefined) return JSON.stringify(leaf.constant);
  const sole = soleVariable(leaf.parts);
  if (sole) return `{{json ${sole}}}`;
  return `"${leaf.parts.map((p) => ('variable' in p ? `{{${p.variable}}}` : JSON.stringify(p.text).slice(1, -1))).join('')}"`;
}

/** One `name=value` of a form body or a query string, as LeadConduit's querystring writes them. */
export interface FormPair {
  name: string;
  leaf: Leaf;
}

/** Form fields and query parameters: nested names joined with dots again, arrays as repeated names. */
export function formPairs(root: { [key: string]: Node }, problems: string[], group: string): FormPair[] {
  const pairs: FormPair[] = [];
  const walk = (node: Node, name: string, inArray: boolean) => {
    if (node instanceof Leaf) pairs.push({ name, leaf: node });
    else if (Array.isArray(node) && !inArray) node.forEach((item) => walk(item, name, true));
    else if (inArray) problems.push(`${group}.${name}: LeadConduit sends a list of lists or of objects as empty text; give each value its own name`);
    else for (const [key, value] of Object.entries(node)) walk(value, name ? `${name}.${key}` : key, false);
  };
  walk(root, '', false);
  return pairs;
}

/** Percent-encoding as Node's querystring.escape (LeadConduit's): the same set as encodeURIComponent. */
export const percentEncode = (text: string) => encodeURIComponent(text);

/** `a=b&c={{x}}` with names and literal text percent-encoded; variables as the template escapes them. */
export function queryTemplate(pairs: FormPair[]): string {
  return pairs.map(({ name, leaf }) => `${percentEncode(name)}=${leaf.parts.map((p) => ('variable' in p ? `{{${p.variable}}}` : percentEncode(p.text))).join('')}`).join('&');
}

/**
 * LeadConduit's XML body (lib/xml-doc.js, then xmlbuilder with `pretty: true`): dotted paths are
 * elements, a part with `@` names an attribute (`lead.phone@type`, `lead.phone.0.@type`), `#text`
 * the element's text, a number repeats the element; two-space indentation, no final newline.
 */
export function xmlTemplate(root: { [key: string]: Node }, problems: string[]): string | undefined {
  const names = Object.keys(root);
  if (names.length !== 1) {
    problems.push(names.length === 0 ? 'xml_path.*: no XML paths, so LeadConduit would send only the XML declaration' : `xml_path.*: an XML document has one root element; the paths start with ${names.join(', ')}`);
    return undefined;
  }
  const lines = ['<?xml version="1.0"?>'];
  writeElement(names[0], root[names[0]], '', lines, problems);
  return lines.join('\n');
}

/** The paths as LeadConduit rewrites them before unflattening: every value is an element's `#text` or an `@attribute`. */
export function xmlPath(path: string): string {
  const marked = /[@#]/.test(path) ? path : `${path}#text`;
  return marked.replace(/([@#])/, '.$1');
}

const XML_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

function writeElement(name: string, node: Node, indent: string, lines: string[], problems: string[]): void {
  if (Array.isArray(node)) {
    for (const item of node) writeElement(name, item, indent, lines, problems);
    return;
  }
  if (!XML_NAME.test(name)) problems.push(`xml_path.*: '${name}' is not an XML element name`);
  if (node instanceof Leaf) {
    lines.push(`${indent}<${name}>${xmlText(node, 'text')}</${name}>`);
    return;
  }
  const attributes = Object.entries(node).filter(([key]) => key.startsWith('@'));
  const text = node['#text'];
  const children = Object.entries(node).filter(([key]) => !key.startsWith('@') && key !== '#text');
  const open = `<${name}${attributes.map(([key, value]) => ` ${key.slice(1)}="${value instanceof Leaf ? xmlText(value, 'attribute') : ''}"`).join('')}`;
  if (text !== undefined && children.length > 0) problems.push(`xml_path.*: '${name}' has both text and child elements, which the importer does not write`);
  if (text instanceof Leaf) lines.push(`${indent}${open}>${xmlText(text, 'text')}</${name}>`);
  else if (children.length === 0) lines.push(`${indent}${open}/>`);
  else {
    lines.push(`${indent}${open}>`);
    for (const [child, value] of children) writeElement(child, value, `${indent}  `, lines, problems);
    lines.push(`${indent}</${name}>`);
  }
}

// What xmlbuilder escapes in literal text; lead values are escaped by the xml() template itself.
const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#xD;' };
const ATTRIBUTE_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '"': '&quot;', '\t': '&#x9;', '\n': '&#xA;', '\r': '&#xD;' };

function xmlText(leaf: Leaf, where: 'text' | 'attribute'): string {
  const escapes = where === 'text' ? TEXT_ESCAPES : ATTRIBUTE_ESCAPES;
  const pattern = where === 'text' ? /[&<>\r]/g : /[&<"\t\n\r]/g;
  return leaf.parts.map((p) => ('variable' in p ? `{{${p.variable}}}` : p.text.replace(pattern, (c) => escapes[c]))).join('');
}
