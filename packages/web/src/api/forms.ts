import type { FormInstance } from 'antd';
import { ApiError } from './client.ts';

/**
 * Puts the server's field errors on the matching form fields ("body.username" → "username",
 * "body.patient.name" → ["patient", "name"] when the form has that nested field).
 * Returns false when nothing matched, so the caller shows the title instead.
 */
export function applyFieldErrors(form: FormInstance, error: unknown): boolean {
  if (!(error instanceof ApiError) || !error.errors?.length) return false;
  const values = form.getFieldsValue() as Record<string, unknown>;
  const byField = new Map<string, { name: string[]; errors: string[] }>();
  for (const { field, message } of error.errors) {
    const name = formFieldPath(values, field.replace(/^(body|query|params)\./, '').split('.'));
    if (!name) continue;
    const key = name.join('.');
    byField.set(key, { name, errors: [...(byField.get(key)?.errors ?? []), message] });
  }
  if (byField.size === 0) return false;
  form.setFields([...byField.values()]);
  return true;
}

/** The longest leading part of a server path that is a field of the form (errors inside a list land on the list). */
function formFieldPath(values: Record<string, unknown>, path: string[]): string[] | null {
  const [head, ...rest] = path;
  if (head === undefined || !(head in values)) return null;
  const value = values[head];
  const isGroup = typeof value === 'object' && value !== null && !Array.isArray(value);
  const inner = isGroup && rest.length ? formFieldPath(value as Record<string, unknown>, rest) : null;
  return inner ? [head, ...inner] : [head];
}

export function errorTitle(error: unknown): string {
  if (error instanceof ApiError) return error.title;
  return error instanceof Error ? error.message : String(error);
}
