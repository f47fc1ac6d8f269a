import type { FormInstance } from 'antd';
import { ApiError } from './client.ts';

/**
 * Puts the server's field errors on the matching form fields ("body.username" → "username").
 * Returns false when nothing matched, so the caller shows the title instead.
 */
export function applyFieldErrors(form: FormInstance, error: unknown): boolean {
  if (!(error instanceof ApiError) || !error.errors?.length) return false;
  const known = new Set(Object.keys(form.getFieldsValue() as object));
  const byField = new Map<string, string[]>();
  for (const { field, message } of error.errors) {
    const name = field.replace(/^(body|query|params)\./, '').split('.')[0] ?? '';
    if (!known.has(name)) continue;
    byField.set(name, [...(byField.get(name) ?? []), message]);
  }
  if (byField.size === 0) return false;
  form.setFields([...byField].map(([name, errors]) => ({ name, errors })));
  return true;
}

export function errorTitle(error: unknown): string {
  if (error instanceof ApiError) return error.title;
  return error instanceof Error ? error.message : String(error);
}
