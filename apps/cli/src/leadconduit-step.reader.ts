/** A setting's value as LeadConduit keeps it. */
export type SettingValue = string | number | boolean;

/** A LeadConduit step's settings, in the order LeadConduit applies them, later ones winning. */
export interface LeadConduitStep {
  /** `leadconduit-custom.outbound.json` and the like, when the step says. */
  moduleId?: string;
  /** The recipient's name in LeadConduit, for the delivery id. */
  entityName?: string;
  settings: Map<string, SettingValue>;
  /** Parts of the step the importer cannot carry over: one comment each. */
  notCarried: string[];
  problems: string[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads the shapes a step's settings come in (docs/campaigns.md › import leadconduit): the step as
 * LeadConduit's API returns it in a flow's `steps` (`{ integration: { module_id, mappings } }`),
 * its `integration` alone, the `mappings` array alone (`[{ property, value }]`), or a flat object
 * of settings (`{ "url": …, "json_property.email": "{{lead.email}}" }`; nested objects and arrays
 * are read as dotted names, as LeadConduit's own tests write them).
 */
export function readStep(input: unknown): LeadConduitStep {
  const step: LeadConduitStep = { settings: new Map(), notCarried: [], problems: [] };
  if (Array.isArray(input)) readMappings(input, step);
  else if (isObject(input) && isObject(input.integration)) readWholeStep(input, step);
  else if (isObject(input) && Array.isArray(input.mappings)) readIntegration(input, step);
  else if (isObject(input)) flatten(input, '', step);
  else step.problems.push('expected a LeadConduit step, its integration, its mappings array or an object of settings');
  return step;
}

function readWholeStep(input: Record<string, Json>, step: LeadConduitStep): void {
  const entity = input.entity;
  if (isObject(entity) && typeof entity.name === 'string') step.entityName = entity.name;
  if (input.enabled === false) step.notCarried.push('enabled = false: the step is disabled in LeadConduit (leave the delivery out, or remove it)');
  if (hasRules(input.rule_set)) step.notCarried.push(`step criteria (${describeRules(input.rule_set)}): write them as the delivery's \`when\` (docs/contracts.md)`);
  readIntegration(input.integration as Record<string, Json>, step);
}

function readIntegration(integration: Record<string, Json>, step: LeadConduitStep): void {
  if (typeof integration.module_id === 'string') step.moduleId = integration.module_id;
  if (!Array.isArray(integration.mappings)) step.problems.push('integration.mappings: expected an array of { property, value }');
  else readMappings(integration.mappings, step);
}

function readMappings(mappings: Json[], step: LeadConduitStep): void {
  mappings.forEach((mapping, i) => {
    if (!isObject(mapping) || typeof mapping.property !== 'string' || mapping.property === '') {
      step.problems.push(`mappings[${i}]: expected { "property": "<setting name>", "value": … }`);
      return;
    }
    const value = mapping.value ?? '';
    if (!isScalar(value)) {
      step.problems.push(`mappings[${i}] (${mapping.property}): the value must be text, a number or true/false`);
      return;
    }
    // LeadConduit applies mappings top to bottom, so a conditional one overrides those before it
    // for some leads only: the importer keeps the unconditional value and says so.
    if (hasRules(mapping.rule_set)) step.notCarried.push(`${mapping.property} when ${describeRules(mapping.rule_set)}: conditional mappings are not carried over`);
    else step.settings.set(mapping.property, value);
  });
}

function flatten(value: Json, name: string, step: LeadConduitStep): void {
  if (isScalar(value)) step.settings.set(name, value);
  else if (Array.isArray(value)) value.forEach((item, i) => flatten(item, `${name}.${i}`, step));
  else if (isObject(value)) for (const [key, item] of Object.entries(value)) flatten(item, name ? `${name}.${key}` : key, step);
  // null: LeadConduit leaves such a setting unset.
}

const isScalar = (v: unknown): v is SettingValue => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

function hasRules(ruleSet: Json | undefined): boolean {
  return isObject(ruleSet) && Array.isArray(ruleSet.rules) && ruleSet.rules.length > 0;
}

/** `lead.state is equal to TX and …`, one line, for a comment. */
function describeRules(ruleSet: Json | undefined): string {
  if (!isObject(ruleSet) || !Array.isArray(ruleSet.rules)) return '';
  const op = typeof ruleSet.op === 'string' ? ruleSet.op : 'and';
  return ruleSet.rules
    .map((rule) => (isObject(rule) && hasRules(rule.rule_set) ? `(${describeRules(rule.rule_set)})` : isObject(rule) ? [rule.lhv, rule.op, rule.rhv].filter((p) => p !== undefined).join(' ') : '?'))
    .join(` ${op} `);
}
