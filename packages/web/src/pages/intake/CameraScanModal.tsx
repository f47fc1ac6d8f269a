import { Alert, Modal, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useT } from '../../i18n/I18nProvider.tsx';

type CameraState = 'starting' | 'scanning' | 'no-camera' | 'failed';

/** The fallback when no barcode scanner is at hand: reads a card or request-form barcode with the camera. */
export function CameraScanModal({ onDecoded, onClose }: { onDecoded(code: string): void; onClose(): void }) {
  const t = useT();
  const video = useRef<HTMLVideoElement>(null);
  const [state, setState] = useState<CameraState>('starting');
  const [failure, setFailure] = useState('');
  // The camera starts once per opening; a new callback from the parent must not restart it.
  const decoded = useRef(onDecoded);
  useEffect(() => {
    decoded.current = onDecoded;
  }, [onDecoded]);

  useEffect(() => {
    let stop: (() => void) | null = null;
    let closed = false;
    async function start() {
      // Browsers offer the camera only on HTTPS or localhost.
      if (!navigator.mediaDevices?.getUserMedia) return setState('no-camera');
      // ZXing is large and rarely needed: loaded only when the camera is opened.
      const { BrowserMultiFormatReader } = await import('@zxing/browser');
      const cameras = await BrowserMultiFormatReader.listVideoInputDevices();
      if (closed) return;
      if (cameras.length === 0) return setState('no-camera');
      const controls = await new BrowserMultiFormatReader().decodeFromVideoDevice(undefined, video.current ?? undefined, (result, _error, controls) => {
        if (!result) return;
        controls.stop();
        decoded.current(result.getText().trim());
      });
      if (closed) controls.stop();
      else {
        stop = () => controls.stop();
        setState('scanning');
      }
    }
    start().catch((error: unknown) => {
      setFailure(error instanceof Error ? error.message : String(error));
      setState('failed');
    });
    return () => {
      closed = true;
      stop?.();
    };
  }, []);

  return (
    <Modal open title={t('intake.cameraTitle')} onCancel={onClose} footer={null} destroyOnHidden width={560}>
      {state === 'no-camera' && <Alert type="warning" showIcon title={t('intake.noCamera')} />}
      {state === 'failed' && <Alert type="error" showIcon title={t('intake.cameraFailed')} description={failure} />}
      {(state === 'starting' || state === 'scanning') && (
        <>
          <video ref={video} muted playsInline style={{ width: '100%', background: '#000', borderRadius: 6, minHeight: 240 }} />
          <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
            {state === 'starting' ? t('intake.cameraStarting') : t('intake.cameraHint')}
          </Typography.Paragraph>
        </>
      )}
    </Modal>
  );
}
