import { z } from 'zod';

export const Channel = z.enum(['gdt', 'ndd_xml', 'hl7_mllp'], { error: '请选择对接方式' });
export const Encoding = z.enum(['gbk', 'gb18030', 'iso-8859-1', 'utf-8']);
export const GdtVersion = z.enum(['2.1', '3.5']);

const DeviceFields = z.object({
  campusId: z.uuid('院区编号格式不正确'),
  name: z.string().trim().min(1, '请输入设备名称').max(60),
  room: z.string().trim().max(40).optional(),
  vendor: z.string().trim().max(60).optional(),
  model: z.string().trim().max(60).optional(),
  channel: Channel,
  folder: z.string().trim().max(400).nullish(),
  /** Where the device writes its results; PFTIS picks them up from there. */
  resultFolder: z.string().trim().max(400).nullish(),
  host: z.string().trim().max(200).nullish(),
  port: z.number().int().min(1).max(65535).nullish(),
  encoding: Encoding.optional(),
  gdtVersion: GdtVersion.optional(),
  enabled: z.boolean().optional(),
});

export const DeviceBody = DeviceFields.refine((d) => d.channel === 'hl7_mllp' || !!d.folder, { message: '文件方式须填写交换目录', path: ['folder'] }).refine(
  (d) => d.channel !== 'hl7_mllp' || (!!d.host && !!d.port),
  { message: 'HL7 方式须填写地址和端口', path: ['host'] },
);

// A device keeps its campus and channel; to change those, add a new device.
export const DevicePatch = DeviceFields.omit({ campusId: true, channel: true }).partial();

export const DeviceView = z.object({
  id: z.string(),
  campusId: z.string(),
  name: z.string(),
  room: z.string(),
  vendor: z.string(),
  model: z.string(),
  channel: Channel,
  folder: z.string().nullable(),
  resultFolder: z.string().nullable(),
  host: z.string().nullable(),
  port: z.number().nullable(),
  encoding: Encoding,
  gdtVersion: GdtVersion,
  enabled: z.boolean(),
});

