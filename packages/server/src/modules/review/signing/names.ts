import { DerNode, oid, printableString, seq, setOf, Tag, utf8String } from './der.js';
import { OID } from './oids.js';

/** An X.500 distinguished name with the attributes a hospital CA uses. Text is plain JavaScript text (Chinese welcome). */
export interface DistinguishedName {
  commonName: string;
  organization?: string;
  organizationalUnit?: string;
  /** ISO 3166 two-letter code, such as 'CN'. */
  country?: string;
  province?: string;
  locality?: string;
  /** Such as a staff number (工号). */
  serialNumber?: string;
  title?: string;
}

const KEYS: ReadonlyArray<[keyof DistinguishedName, string, string]> = [
  ['country', OID.countryName, 'C'],
  ['province', OID.stateOrProvinceName, 'ST'],
  ['locality', OID.localityName, 'L'],
  ['organization', OID.organizationName, 'O'],
  ['organizationalUnit', OID.organizationalUnitName, 'OU'],
  ['title', OID.title, 'T'],
  ['commonName', OID.commonName, 'CN'],
  ['serialNumber', OID.serialNumber, 'SERIALNUMBER'],
];

const SHORT_NAMES = new Map<string, string>([...KEYS.map(([, o, s]) => [o, s] as [string, string]), [OID.emailAddress, 'E']]);

/**
 * DER Name, most general attribute first (C, ST, L, O, OU, CN). Text values are UTF8String (stack.md §3.1: a
 * Chinese value in any other string type breaks P12 files and CMS issuer matching); the country and serial number
 * are PrintableString as RFC 5280 requires.
 */
export function encodeName(name: DistinguishedName): Uint8Array {
  const rdns: Uint8Array[] = [];
  for (const [key, attrOid] of KEYS) {
    const value = name[key];
    if (value === undefined || value === '') continue;
    const encoded = key === 'country' || key === 'serialNumber' ? printableString(value) : utf8String(value);
    rdns.push(setOf([seq(oid(attrOid), encoded)]));
  }
  return seq(...rdns);
}

export interface NameAttribute {
  oid: string;
  /** Short name (CN, O, OU, C …) or the dotted OID when unknown. */
  type: string;
  value: string;
  /** The value is '#' + hex of a non-string encoding. */
  hexForm: boolean;
}

export interface DecodedName {
  attributes: NameAttribute[];
  /** RFC 4514 order (most specific first), e.g. "CN=张三,OU=肺功能室,O=某某医院,C=CN". */
  text: string;
  commonName: string | null;
  organization: string | null;
  organizationalUnit: string | null;
}

export function decodeName(node: DerNode): DecodedName {
  node.expect(Tag.SEQUENCE);
  const attributes: NameAttribute[] = [];
  for (const rdn of node.children()) {
    for (const atv of rdn.expect(Tag.SET).children()) {
      const attrOid = atv.child(0).oid();
      const valueNode = atv.child(1);
      let value: string;
      let hexForm = false;
      try {
        value = valueNode.text();
      } catch {
        // RFC 4514 §2.4: a value of a type we cannot show as text is written as # and its BER in hex.
        value = `#${Buffer.from(valueNode.raw).toString('hex')}`;
        hexForm = true;
      }
      attributes.push({ oid: attrOid, type: SHORT_NAMES.get(attrOid) ?? attrOid, value, hexForm });
    }
  }
  const first = (o: string) => attributes.find((a) => a.oid === o)?.value ?? null;
  return {
    attributes,
    text: [...attributes].reverse().map((a) => `${a.type}=${a.hexForm ? a.value : escapeRdnValue(a.value)}`).join(','),
    commonName: first(OID.commonName),
    organization: first(OID.organizationName),
    organizationalUnit: first(OID.organizationalUnitName),
  };
}

function escapeRdnValue(value: string): string {
  return value.replace(/[,+"\\<>;=]/g, (c) => `\\${c}`).replace(/^[ #]/, (c) => `\\${c}`).replace(/ $/, '\\ ');
}
