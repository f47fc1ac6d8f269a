import { AppError, Conflict } from '../../platform/errors.js';

export const noCampus = () => new AppError({ code: 'exams.no-campus', status: 409, title: '请先选择当前院区' });
export const orderNotFound = (requestNo: string) => new AppError({ code: 'exams.order-not-found', status: 404, title: `HIS 中没有申请单 ${requestNo}`, extra: { requestNo } });
export const orderCancelled = (requestNo: string) => new Conflict('exams.order-cancelled', `申请单 ${requestNo} 已作废，不能登记`, { requestNo });
export const orderReported = (requestNo: string) => new Conflict('exams.order-reported', `申请单 ${requestNo} 已出报告，不能再次登记`, { requestNo });
export const patientNotFound = () => new AppError({ code: 'exams.patient-not-found', status: 404, title: 'HIS 中没有找到该患者，请核对卡号' });
export const deviceNotFound = () => new AppError({ code: 'exams.device-not-found', status: 400, title: '设备不存在或已停用' });
export const deviceNotChecked = (title: string) => new Conflict('exams.device-not-checked', title);
