/**
 * Fault injection, per channel or for all:
 * - up: normal service.
 * - down: the channel's listening socket is closed and open connections dropped, so a sender gets ECONNREFUSED; any
 *   other mode reopens it on the same port. File drop and SQL: the HIS stops picking up reports.
 * - http500: HTTP 500 (web service, FHIR); MLLP answers AR; file drop moves the pair to error/. Nothing stored.
 * - slow: the delivery is stored, but the answer (HTTP response, ACK) comes only after delayMs; file drop and SQL
 *   pick up only every delayMs.
 * - malformedAck: the delivery is stored, but the answer is garbage (an HTML page instead of the JSON receipt or the
 *   transaction-response Bundle; a framed non-HL7 text instead of the ACK). A resend must not create a second arrival.
 * - nak: refused as content: MSA-1 AE (or AR, as set) over MLLP; `{ code: 1001 }` with HTTP 200 from the web service,
 *   as integration platforms answer; 422 OperationOutcome from FHIR; file drop moves the pair to error/. Not stored.
 */
export type ReceiverMode = 'up' | 'down' | 'http500' | 'slow' | 'malformedAck' | 'nak';

export interface ModeState {
  mode: ReceiverMode;
  /** 'slow': how long the answer is held back. */
  delayMs: number;
  /** 'nak' over MLLP: AE (content error) or AR (rejected). */
  nak: 'AE' | 'AR';
}
