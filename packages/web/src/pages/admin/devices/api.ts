import { apiRequest } from '../../../api/client.ts';
import type { DeviceView as Device, DeviceInput } from '@pftis/server/api-types';

export type { Device, DeviceInput };
export type DeviceChannel = Device['channel'];
export type DeviceEncoding = Device['encoding'];
export type GdtVersion = Device['gdtVersion'];

export const CHANNELS: DeviceChannel[] = ['gdt', 'ndd_xml', 'hl7_mllp'];
export const ENCODINGS: DeviceEncoding[] = ['gbk', 'gb18030', 'iso-8859-1', 'utf-8'];
export const GDT_VERSIONS: GdtVersion[] = ['2.1', '3.5'];

export const devicesApi = {
  list: (campusId?: string) => apiRequest<Device[]>('/api/devices', { query: { campusId } }),
  create: (body: DeviceInput) => apiRequest<Device>('/api/devices', { method: 'POST', body }),
  update: (id: string, body: Partial<Omit<DeviceInput, 'campusId' | 'channel'>>) => apiRequest<Device>(`/api/devices/${id}`, { method: 'PATCH', body }),
};
