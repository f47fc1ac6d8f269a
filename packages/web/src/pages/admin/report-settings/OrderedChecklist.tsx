import { ArrowDownOutlined, ArrowUpOutlined } from '@ant-design/icons';
import { Button, Checkbox, Flex, Tooltip, Typography } from 'antd';
import { useT } from '../../../i18n/I18nProvider.tsx';
import { moveItem, type OrderedChoice } from './settings-model.ts';

/**
 * An ordered list whose items can be switched on and off and moved up and down (a form control: value/onChange).
 * Hidden items keep their place, so showing one again puts it back where it was.
 */
export function OrderedChecklist<K extends string>({
  value = [],
  onChange,
  label,
  testId,
}: {
  value?: Array<OrderedChoice<K>>;
  onChange?(next: Array<OrderedChoice<K>>): void;
  label(key: K): string;
  testId: string;
}) {
  const t = useT();
  const change = (next: Array<OrderedChoice<K>>) => onChange?.(next);
  let position = 0;
  return (
    <div data-testid={testId} style={{ border: '1px solid #f0f0f0', borderRadius: 6, maxWidth: 420 }}>
      {value.map((item, index) => {
        if (item.shown) position += 1;
        return (
          <Flex key={item.key} align="center" gap={8} data-testid={`${testId}-${item.key}`} style={{ padding: '4px 8px', borderTop: index ? '1px solid #f0f0f0' : undefined }}>
            <Typography.Text type="secondary" style={{ width: 20, textAlign: 'right' }}>
              {item.shown ? position : ''}
            </Typography.Text>
            <Checkbox checked={item.shown} onChange={(e) => change(value.map((c, i) => (i === index ? { ...c, shown: e.target.checked } : c)))} style={{ flex: 1 }}>
              <Typography.Text type={item.shown ? undefined : 'secondary'}>{label(item.key)}</Typography.Text>
            </Checkbox>
            <Tooltip title={t('reportSettings.moveUp')}>
              <Button type="text" size="small" icon={<ArrowUpOutlined />} aria-label={t('reportSettings.moveUp')} disabled={index === 0} onClick={() => change(moveItem(value, index, -1))} />
            </Tooltip>
            <Tooltip title={t('reportSettings.moveDown')}>
              <Button type="text" size="small" icon={<ArrowDownOutlined />} aria-label={t('reportSettings.moveDown')} disabled={index === value.length - 1} onClick={() => change(moveItem(value, index, 1))} />
            </Tooltip>
          </Flex>
        );
      })}
    </div>
  );
}
