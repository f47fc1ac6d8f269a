export type { ParseResult } from './result.ts';
export { readNddEasyOneXml } from './ndd-easyone/reader.ts';
export type { NddChannel, NddPatient, NddResultParameter, NddTest, NddTestResult, NddTrial } from './ndd-easyone/reader.ts';
export { parseXml, type XmlElement } from './xml/tiny-xml.ts';
