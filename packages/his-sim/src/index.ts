export { demoHospital, demoUsers, DEMO_PASSWORD, DEMO_SIGNING_PIN, type DemoCampus } from './demo-hospital.js';
export { openDemoHis, DEMO_PATIENTS, type DemoHis } from './demo-his.js';
export { generateHisRows, generateDayOrders, beijingDay, type HisRows } from './his-db/generate.js';
export {
  hisSchema,
  hisReportSchema,
  hisReportAddedColumns,
  statusWriteBackSql,
  reportWriteBackSql,
  reportWriteBackParameters,
  reportRevokeSql,
  reportRevokeParameters,
  hisReportStatusCodes,
  hisStatusCodes,
  pftItems,
  type HisDialect,
} from './his-db/schema.js';
export { insertRows } from './his-db/load.js';
export { isValidIdNumber } from './people.js';
export { createMysqlHis, type MysqlHis } from './mysql-his.js';
export { createPostgresHis } from './postgres-his.js';
export { createDeviceSimulator, type SimulatedDevice } from './device/simulator.js';
export { seededRandom, type Random } from './random.js';
export { nddTestResult, gdtExamResult, type SimulatedExam } from './device/results.js';
export { createReportReceiver, DEMO_RECEIVER_TOKEN, type ReportReceiver, type ReportReceiverOptions } from './receiver/receiver.js';
export { receiverChannels, type Arrival, type ArrivalCounts, type ArrivalDocument, type ChannelCounts, type ReceiverChannel } from './receiver/arrivals.js';
export type { ReceiverMode } from './receiver/modes.js';
export { pgliteReportTable, type ReportTableSource } from './receiver/report-table.js';
export { devicePrintout, SAMPLE_PRINTOUT, SAMPLE_PRINTOUT_ZH, sentrySuitePdf, easyOnePdf, chinesePdf, chineseNonEmbeddedPdf, type PrintoutInput, type PrintoutLayout, type PrintoutOptions, type PrintoutRow } from './device/printouts/index.js';
