import { apiRequest } from '../../../api/client.ts';

export type DeviceChannel = 'gdt' | 'ndd_xml' | 'hl7_mllp';
export type DeviceEncoding = 'gbk' | 'gb18030' | 'iso-8859-1' | 'utf-8';
export type GdtVersion = '2.1' | '3.5';

export const CHANNELS: DeviceChannel[] = ['gdt', 'ndd_xml', 'hl7_mllp'];
export const ENCODINGS: DeviceEncoding[] = ['gbk', 'gb18030', 'iso-8859-1', 'utf-8'];
export const GDT_VERSIONS: GdtVersion[] = ['2.1', '3.5'];

export interface Device {
  id: string;
  campusId: string;
  name: string;
  room: string;
  vendor: string;
  model: string;
  channel: DeviceChannel;
  folder: string | null;
  host: string | null;
  port: number | null;
  encoding: DeviceEncoding;
  gdtVersion: GdtVersion;
  enabled: boolean;
}

export interface DeviceInput {
  campusId: string;
  name: string;
  room?: string;
  vendor?: string;
  model?: string;
  channel: DeviceChannel;
  folder?: string | null;
  host?: string | null;
  port?: number | null;
  encoding?: DeviceEncoding;
  gdtVersion?: GdtVersion;
  enabled?: boolean;
}

export const devicesApi = {
  list: (campusId?: string) => apiRequest<Device[]>('/api/devices', { query: { campusId } }),
  create: (body: DeviceInput) => apiRequest<Device>('/api/devices', { method: 'POST', body }),
  update: (id: string, body: Partial<Omit<DeviceInput, 'campusId' | 'channel'>>) => apiRequest<Device>(`/api/devices/${id}`, { method: 'PATCH', body }),
};
