import { App } from 'antd';
import { useState } from 'react';
import { ApiError } from '../../api/client.ts';
import { errorTitle } from '../../api/forms.ts';
import { useT } from '../../i18n/I18nProvider.tsx';
import { PinModal } from './PinModal.tsx';
import { fetchPrintPdf, printPdf } from './print.ts';

/**
 * 一键打印, shared by the report workspace and the worklist: fetch the print PDF and open the print dialog in one
 * go. When the lab asks for intent to print (policy.pinOnPrint), the signing PIN (or, for a user without a signing
 * key, the login password) is asked first — or when the server says so, for callers that do not know the policy.
 */
export function usePrintReport(onPrinted?: (final: boolean) => void) {
  const t = useT();
  const { message } = App.useApp();
  const [printingId, setPrintingId] = useState<string | null>(null);
  const [pinFor, setPinFor] = useState<string | null>(null);

  async function run(reportId: string, pin?: string) {
    const { pdf, final } = await fetchPrintPdf(reportId, pin);
    await printPdf(pdf);
    if (!final) message.warning(t('print.draft'));
    onPrinted?.(final);
  }

  async function print(reportId: string, options: { pinFirst?: boolean } = {}) {
    if (options.pinFirst) {
      setPinFor(reportId);
      return;
    }
    setPrintingId(reportId);
    try {
      await run(reportId);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'review-pin-required') setPinFor(reportId);
      else message.error(errorTitle(error));
    } finally {
      setPrintingId(null);
    }
  }

  const pinModal = (
    <PinModal
      open={pinFor !== null}
      title={t('print.pinTitle')}
      okText={t('report.print')}
      hint={t('print.pinHint')}
      label={t('sign.secretLabel')}
      testId="print-pin"
      onClose={() => setPinFor(null)}
      onSubmit={async (pin) => {
        if (!pinFor) return;
        await run(pinFor, pin);
        setPinFor(null);
      }}
    />
  );

  return { print, printingId, pinModal };
}
