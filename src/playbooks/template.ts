/**
 * The playbook template language (examples/packs/README.md): `{{path}}`, `{{#each path}}…{{/each}}`,
 * `{{#if condition}}…{{/if}}`, and conditions `path`, `path op literal|path`, `path in [..]`.
 */
import { formatForPeople, templateLanguage } from './format-for-people.js';

export type Scope = Record<string, unknown>;

const SINGLE_PLACEHOLDER = /^\{\{\s*([^#/{}][^{}]*?)\s*\}\}$/;

/** Reads `a.b.c` from the innermost scope that has `a`. */
export function resolvePath(scopes: readonly Scope[], path: string): unknown {
  const [head, ...rest] = path.trim().split('.');
  for (let index = scopes.length - 1; index >= 0; index -= 1) {
    const scope = scopes[index]!;
    if (head! in scope) {
      let value: unknown = scope[head!];
      for (const key of rest) {
        if (value === null || value === undefined || typeof value !== 'object') return undefined;
        value = (value as Record<string, unknown>)[key];
      }
      return value;
    }
  }
  return undefined;
}

function display(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  // What is left is a scalar: scope values are data, never functions.
  return String(value as string | number | boolean | bigint | symbol);
}

function truthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

function parseLiteral(text: string, scopes: readonly Scope[]): unknown {
  const trimmed = text.trim();
  if (/^\[.*\]$/s.test(trimmed)) {
    const inner = trimmed.slice(1, -1).trim();
    return inner.length === 0 ? [] : inner.split(',').map((item) => parseLiteral(item, scopes));
  }
  if (/^-?\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  if (trimmed === 'true') return true;
  if (trimmed === 'false') return false;
  if (/^(['"]).*\1$/s.test(trimmed)) return trimmed.slice(1, -1);
  // A bare name is a path when a variable by that name exists (`first_payment != payment`),
  // otherwise a word (`delay.state == lost`).
  if (/^[A-Za-z_][\w]*(\.[\w-]+)*$/.test(trimmed)) {
    const resolved = resolvePath(scopes, trimmed);
    if (resolved !== undefined) return resolved;
  }
  return trimmed;
}

const asNumber = (value: unknown): number | null => {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  return null;
};

function equal(left: unknown, right: unknown): boolean {
  const a = asNumber(left);
  const b = asNumber(right);
  if (a !== null && b !== null) return a === b;
  return display(left) === display(right);
}

/** Evaluates a condition against the scopes; unknown shapes are false, never an exception. */
export function evaluateCondition(condition: string, scopes: readonly Scope[]): boolean {
  const inMatch = /^\s*([\w.]+)\s+in\s+(\[.*\])\s*$/s.exec(condition);
  if (inMatch) {
    const value = resolvePath(scopes, inMatch[1]!);
    const list = parseLiteral(inMatch[2]!, scopes) as unknown[];
    return value !== undefined && value !== null && value !== '' && list.some((item) => equal(value, item));
  }
  const comparison = /^\s*([\w.]+)\s*(==|!=|<=|>=|<|>)\s*(.+?)\s*$/s.exec(condition);
  if (comparison) {
    const left = resolvePath(scopes, comparison[1]!);
    const right = parseLiteral(comparison[3]!, scopes);
    const operator = comparison[2]!;
    if (operator === '==') return equal(left, right);
    if (operator === '!=') return !equal(left, right);
    const a = asNumber(left);
    const b = asNumber(right);
    if (a === null || b === null) return false;
    return operator === '<' ? a < b : operator === '<=' ? a <= b : operator === '>' ? a > b : a >= b;
  }
  return truthy(resolvePath(scopes, condition.trim()));
}

interface Block {
  kind: 'each' | 'if';
  argument: string;
  body: string;
  end: number;
}

/** Finds the block that starts at `start` (`{{#each …}}` or `{{#if …}}`), honouring nesting. */
function readBlock(template: string, start: number): Block | null {
  const open = /^\{\{#(each|if)\s+([^}]*)\}\}/.exec(template.slice(start));
  if (!open) return null;
  const kind = open[1] as 'each' | 'if';
  let depth = 1;
  const tag = /\{\{(#(each|if)\b[^}]*|\/(each|if))\}\}/g;
  tag.lastIndex = start + open[0].length;
  for (let match = tag.exec(template); match; match = tag.exec(template)) {
    if (match[1]!.startsWith('#')) depth += 1;
    else depth -= 1;
    if (depth === 0) {
      return {
        kind,
        argument: open[2]!.trim(),
        body: template.slice(start + open[0].length, match.index),
        end: match.index + match[0].length,
      };
    }
  }
  return null;
}

export interface RenderOptions {
  /** Text a person reads: dates and times are formatted in the template's language (11月23日 16:30). */
  forPeople?: boolean;
  /** "This year", for leaving the year out of dates (default: now). */
  now?: Date;
}

/**
 * `path | "fallback"` (or `path | fallback`): the value at `path`, or the fallback text when it is
 * missing, null or empty, so a template naming a field a contact does not have reads naturally
 * (`{{contact.name | "您"}}`) instead of leaving a hole. Without `|` it is just the path.
 */
export function resolveExpression(scopes: readonly Scope[], expression: string): unknown {
  const bar = expression.indexOf('|');
  if (bar < 0) return resolvePath(scopes, expression);
  const value = resolvePath(scopes, expression.slice(0, bar));
  if (value !== undefined && value !== null && value !== '') return value;
  const fallback = expression.slice(bar + 1).trim();
  return /^(['"]).*\1$/s.test(fallback) ? fallback.slice(1, -1) : fallback;
}

/** Renders a template string; a missing value renders as '' (or its `| fallback`). */
export function renderTemplate(template: string, scopes: readonly Scope[], options: RenderOptions = {}): string {
  const language = options.forPeople ? templateLanguage(template) : null;
  const show = (value: unknown) => {
    const text = display(value);
    return language && typeof value === 'string' ? formatForPeople(text, language, options.now) : text;
  };
  let output = '';
  let index = 0;
  while (index < template.length) {
    const next = template.indexOf('{{', index);
    if (next < 0) {
      output += template.slice(index);
      break;
    }
    output += template.slice(index, next);
    const block = template.startsWith('{{#', next) ? readBlock(template, next) : null;
    if (block) {
      if (block.kind === 'if') {
        if (evaluateCondition(block.argument, scopes)) output += renderTemplate(block.body, scopes, options);
      } else {
        const items = resolvePath(scopes, block.argument);
        if (Array.isArray(items)) {
          for (const item of items as unknown[]) {
            const itemScope = item !== null && typeof item === 'object' ? (item as Scope) : { this: item };
            output += renderTemplate(block.body, [...scopes, itemScope], options);
          }
        }
      }
      index = block.end;
      continue;
    }
    const close = template.indexOf('}}', next);
    if (close < 0) {
      output += template.slice(next);
      break;
    }
    const expression = template.slice(next + 2, close).trim();
    output +=
      expression.startsWith('/') || expression.startsWith('#') ? '' : show(resolveExpression(scopes, expression));
    index = close + 2;
  }
  return output;
}

/**
 * Renders a step's structured input: strings are templates, and a string that is exactly one
 * placeholder passes the value itself (a list, an object, a number).
 */
export function renderValue(value: unknown, scopes: readonly Scope[]): unknown {
  if (typeof value === 'string') {
    const single = SINGLE_PLACEHOLDER.exec(value);
    if (single) {
      const resolved = resolveExpression(scopes, single[1]!);
      return resolved === undefined ? '' : resolved;
    }
    return renderTemplate(value, scopes);
  }
  if (Array.isArray(value)) return value.map((item) => renderValue(item, scopes));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, renderValue(item, scopes)]));
  }
  return value;
}
