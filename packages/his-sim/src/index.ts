export { demoHospital, demoUsers, DEMO_PASSWORD, type DemoCampus } from './demo-hospital.js';
export { openDemoHis, DEMO_PATIENTS, type DemoHis } from './demo-his.js';
export { generateHisRows, generateDayOrders, beijingDay, type HisRows } from './his-db/generate.js';
export { hisSchema, statusWriteBackSql, hisStatusCodes, pftItems, type HisDialect } from './his-db/schema.js';
export { insertRows } from './his-db/load.js';
export { isValidIdNumber } from './people.js';
export { createMysqlHis, type MysqlHis } from './mysql-his.js';
export { createPostgresHis } from './postgres-his.js';
export { createDeviceSimulator, type SimulatedDevice } from './device/simulator.js';
