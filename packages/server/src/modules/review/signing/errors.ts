import { AppError } from '../../../platform/errors.js';

export type SigningErrorCode =
  | 'signing.wrong-password'
  | 'signing.wrong-pin'
  | 'signing.malformed-pkcs12'
  | 'signing.unsupported-pkcs12'
  | 'signing.malformed-key'
  | 'signing.malformed-certificate'
  | 'signing.key-certificate-mismatch'
  | 'signing.certificate-not-valid'
  | 'signing.unsupported-pdf'
  | 'signing.placeholder-too-small';

const TITLES: Record<SigningErrorCode, string> = {
  'signing.wrong-password': '证书文件密码错误',
  'signing.wrong-pin': '签名密码错误',
  'signing.malformed-pkcs12': '证书文件已损坏或格式不正确',
  'signing.unsupported-pkcs12': '不支持该证书文件的加密方式',
  'signing.malformed-key': '签名私钥格式不正确',
  'signing.malformed-certificate': '证书格式不正确',
  'signing.key-certificate-mismatch': '私钥与证书不匹配',
  'signing.certificate-not-valid': '签名证书不在有效期内',
  'signing.unsupported-pdf': '该 PDF 文件无法签名',
  'signing.placeholder-too-small': '签名数据超出预留空间',
};

// 400 rather than 401 for a wrong password or PIN: the web client treats any 401 as an ended session.
const STATUS: Partial<Record<SigningErrorCode, number>> = { 'signing.placeholder-too-small': 500 };

export class SigningError extends AppError {
  declare readonly code: SigningErrorCode;

  constructor(code: SigningErrorCode, message: string) {
    super({ code, status: STATUS[code] ?? 400, title: TITLES[code], message });
    this.name = 'SigningError';
  }
}
