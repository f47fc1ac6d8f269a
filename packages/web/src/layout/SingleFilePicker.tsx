import { UploadOutlined } from '@ant-design/icons';
import { Button, Upload } from 'antd';

/** Chooses one local file and keeps it in the form until submitted (nothing is uploaded on choosing). */
export function SingleFilePicker({ accept, file, onChange, label }: { accept: string; file: File | null; onChange(file: File | null): void; label: string }) {
  return (
    <Upload
      accept={accept}
      maxCount={1}
      fileList={file ? [{ uid: 'file', name: file.name, status: 'done' }] : []}
      onRemove={() => onChange(null)}
      beforeUpload={(chosen) => {
        onChange(chosen);
        return false;
      }}
    >
      <Button icon={<UploadOutlined />}>{label}</Button>
    </Upload>
  );
}
