import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseHl7Ack } from '@pftis/formats/hl7/ack';
import { MllpClient } from '@pftis/formats/hl7/mllp';
import { buildOrmNewOrder, encodeHl7Message, type Hl7Charset } from '@pftis/formats/hl7/orm';
import { writeGdtRequest } from '@pftis/formats/gdt/request';
import { writeNddPerformTest } from '@pftis/formats/ndd-easyone/worklist-command';
import type { WorklistEntry, WorklistTest } from '@pftis/formats/worklist/worklist-entry';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import { PermanentFailure } from '../../platform/outbox.js';
import type { PatientStore } from '../exams/patients.js';

/**
 * Hands one registered exam to its device (outbox topic `device.worklist`): a GDT 6302 file or an ndd
 * PerformTest file written atomically into the device's exchange folder, or an HL7 ORM^O01 over MLLP
 * whose ACK must be AA. A refusal that retrying cannot fix is a PermanentFailure; anything else retries.
 */
export function createDeviceDispatcher({ db, patients, senderId = 'PFTIS' }: { db: Kysely<DB>; patients: PatientStore; senderId?: string }) {
  async function entryFor(examId: string): Promise<WorklistEntry> {
    const exam = await db.selectFrom('exam').selectAll().where('id', '=', examId).executeTakeFirstOrThrow();
    const p = await patients.read(db, exam.patientId);
    return {
      accessionNumber: exam.accessionNo,
      requestNo: exam.requestNo ?? exam.accessionNo,
      patientId: p.hisPatientId ?? p.id,
      name: p.name,
      sex: p.sex,
      birthDate: p.birthDate,
      heightCm: exam.heightCm ?? undefined,
      weightKg: exam.weightKg ?? undefined,
      visitType: exam.visitType,
      visitSerialNo: exam.visitSerialNo ?? undefined,
      ward: exam.ward ?? undefined,
      bed: exam.bed ?? undefined,
      items: [{ code: exam.itemCode ?? '', name: exam.itemName, test: exam.testKind as WorklistTest }],
      requestingDepartment: exam.requestingDepartment ? { name: exam.requestingDepartment } : undefined,
      requestingDoctor: exam.requestingDoctor ? { name: exam.requestingDoctor } : undefined,
      clinicalDiagnosis: exam.clinicalDiagnosis ?? undefined,
      scheduledAt: exam.registeredAt,
    };
  }

  async function dropFile(folder: string | null, fileName: string, bytes: Uint8Array) {
    if (!folder) throw new PermanentFailure('device has no exchange folder configured');
    await mkdir(folder, { recursive: true });
    // Write beside, then rename: the device software never sees a half-written file.
    const temporary = path.join(folder, `.${fileName}.part`);
    await writeFile(temporary, bytes);
    await rename(temporary, path.join(folder, fileName));
    return `wrote ${path.join(folder, fileName)}`;
  }

  return async function dispatch(payload: { examId: string; deviceId: string }): Promise<string> {
    const device = await db.selectFrom('device').selectAll().where('id', '=', payload.deviceId).executeTakeFirst();
    if (!device || !device.enabled) throw new PermanentFailure('device missing or disabled');
    const entry = await entryFor(payload.examId);
    switch (device.channel) {
      case 'gdt': {
        const bytes = writeGdtRequest(entry, { receiverId: device.model || device.name, senderId, version: device.gdtVersion as '2.1' | '3.5', encoding: device.encoding as 'gbk' });
        if (!bytes.ok) throw new PermanentFailure(bytes.reason);
        return dropFile(device.folder, `${entry.accessionNumber}.gdt`, bytes.value);
      }
      case 'ndd_xml': {
        const bytes = writeNddPerformTest(entry);
        if (!bytes.ok) throw new PermanentFailure(bytes.reason);
        return dropFile(device.folder, `${entry.accessionNumber}.xml`, bytes.value);
      }
      case 'hl7_mllp': {
        if (!device.host || !device.port) throw new PermanentFailure('device has no MLLP host and port configured');
        const charset = (device.encoding === 'utf-8' ? 'utf-8' : device.encoding === 'gb18030' ? 'gb18030' : 'gbk') as Hl7Charset;
        const message = buildOrmNewOrder(entry, { sendingApplication: senderId, receivingApplication: device.model || device.name, controlId: `${entry.accessionNumber}-${Date.now()}`, charset });
        if (!message.ok) throw new PermanentFailure(message.reason);
        const bytes = encodeHl7Message(message.value, charset);
        if (!bytes.ok) throw new PermanentFailure(bytes.reason);
        const client = new MllpClient({ host: device.host, port: device.port, connectTimeoutMs: 5000, responseTimeoutMs: 10_000 });
        try {
          const response = await client.send(bytes.value);
          if (!response.ok) throw new Error(`MLLP: ${response.reason}`);
          const ack = parseHl7Ack(response.value, charset);
          if (!ack.ok) throw new Error(`malformed ACK: ${ack.reason}`);
          if (ack.value.outcome === 'rejected') throw new PermanentFailure(`device rejected the order (${ack.value.code}): ${ack.value.text ?? ''}`);
          if (ack.value.outcome !== 'accepted') throw new Error(`device answered ${ack.value.code}: ${ack.value.text ?? ''}`);
          return `ACK ${ack.value.code} from ${device.host}:${device.port}`;
        } finally {
          await client.close();
        }
      }
    }
  };
}
