import { apiBlob } from '../../api/client.ts';

const LOAD_TIMEOUT_MS = 15_000;

/** The frame of the last print job: kept until the next one, since the print dialog reads the PDF after print() returns. */
let lastJob: { frame: HTMLIFrameElement; url: string } | null = null;

/** POST /api/reports/:id/print: the signed final PDF (counted by the server) or, before approval, a 草稿 draft. */
export async function fetchPrintPdf(reportId: string, pin?: string): Promise<{ pdf: Blob; final: boolean }> {
  const { blob, headers } = await apiBlob(`/api/reports/${reportId}/print`, { method: 'POST', body: pin ? { pin } : {} });
  return { pdf: blob.type === 'application/pdf' ? blob : new Blob([blob], { type: 'application/pdf' }), final: headers.get('x-report-final') === '1' };
}

/**
 * Prints a PDF without leaving the page: loads it into an invisible frame and opens the browser's print dialog for
 * that frame. Resolves once print() has been called; if the browser refuses, the PDF opens in a new tab instead.
 */
export function printPdf(pdf: Blob): Promise<void> {
  if (lastJob) {
    lastJob.frame.remove();
    URL.revokeObjectURL(lastJob.url);
    lastJob = null;
  }
  const url = URL.createObjectURL(pdf);
  const frame = document.createElement('iframe');
  frame.title = 'print';
  frame.setAttribute('aria-hidden', 'true');
  frame.dataset.testid = 'print-frame';
  // Not display:none: a frame that is not rendered does not load the PDF viewer, and then prints nothing.
  Object.assign(frame.style, { position: 'fixed', left: '-10000px', top: '0', width: '10px', height: '10px', border: '0', opacity: '0', pointerEvents: 'none' });
  lastJob = { frame, url };
  return new Promise((resolve) => {
    const openInTab = () => {
      window.open(url, '_blank', 'noopener');
      resolve();
    };
    // A browser without a PDF viewer may never load the frame: the user still gets the PDF to print.
    const fallback = setTimeout(openInTab, LOAD_TIMEOUT_MS);
    frame.addEventListener(
      'load',
      () => {
        clearTimeout(fallback);
        try {
          frame.contentWindow!.focus();
          frame.contentWindow!.print();
          resolve();
        } catch {
          openInTab();
        }
      },
      { once: true },
    );
    frame.src = url;
    document.body.appendChild(frame);
  });
}
