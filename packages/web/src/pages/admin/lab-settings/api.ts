import type { LabSettings, LabSettingsInput, LabSettingsOptions, LabSettingsPreview } from '@pftis/server/api-types';
import { apiRequest } from '../../../api/client.ts';

export type { LabSettings, LabSettingsInput, LabSettingsOptions, LabSettingsPreview };
export type ParameterGroup = keyof LabSettings['reference']['defaults'];
export type EquationOption = LabSettingsOptions['equations'][number];
export type SamplePreview = LabSettingsPreview[number];

export const PARAMETER_GROUPS: readonly ParameterGroup[] = ['spirometry', 'transfer', 'volumes'];

export const labSettingsApi = {
  get: () => apiRequest<LabSettings>('/api/lab-settings'),
  save: (body: LabSettingsInput) => apiRequest<LabSettings>('/api/lab-settings', { method: 'PUT', body }),
  options: () => apiRequest<LabSettingsOptions>('/api/lab-settings/options'),
  preview: (settings: LabSettingsInput) => apiRequest<LabSettingsPreview>('/api/lab-settings/preview', { method: 'POST', body: { settings } }),
};
