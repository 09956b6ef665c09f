// Argument checks at the API edge: each names the argument and shows the bad value.
import { badInput, showValue } from './errors.js';

const MAX_ID = 2_147_483_647;
export const MAX_LIST_IDS = 100;
export const MAX_PAGE_SIZE = 100;

/** A database id: a positive 32-bit integer, given as a GraphQL ID (string). */
export function parseId(value: string | number, argument: string): number {
  const text = String(value);
  if (!/^[1-9]\d{0,9}$/.test(text) || Number(text) > MAX_ID) {
    throw badInput(`"${argument}" must be a positive integer id, got ${showValue(text)}`, argument);
  }
  return Number(text);
}

export function parseIds(values: readonly (string | number)[], argument: string, max = MAX_LIST_IDS): number[] {
  if (values.length > max) {
    throw badInput(`"${argument}" takes at most ${max} ids, got ${values.length}`, argument);
  }
  return values.map((value) => parseId(value, argument));
}

export function boundedInt(value: number | null | undefined, argument: string, min: number, max: number, fallback: number): number {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw badInput(`"${argument}" must be an integer from ${min} to ${max}, got ${showValue(n)}`, argument);
  }
  return n;
}

export function pageSize(value: number | null | undefined, argument = 'first', fallback = 20): number {
  return boundedInt(value, argument, 1, MAX_PAGE_SIZE, fallback);
}

export function nonEmptyText(value: string, argument: string, maxLength: number): string {
  const text = value.trim();
  if (text.length === 0 || text.length > maxLength) {
    throw badInput(`"${argument}" must be 1 to ${maxLength} characters, got ${text.length}`, argument);
  }
  return text;
}
