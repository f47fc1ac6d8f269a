import { type Ref, useEffect, useRef, useState } from 'react';
import type { SamplePage, TextItem, TraceBox } from './api.ts';
import { type Highlight, pageScale } from './logic.ts';

const VALUE_COLOUR = '#fa541c';
const LABEL_COLOUR = '#1677ff';

/**
 * The sample's pages to scale, every text item at its place (points → pixels), with the items behind the selected
 * value tinted and its words outlined (the value in orange, the label or header that found it in blue).
 */
export function PageView({ pages, items, highlight, zoom = 1 }: { pages: SamplePage[]; items: TextItem[]; highlight: Highlight; zoom?: number }) {
  const host = useRef<HTMLDivElement>(null);
  const [available, setAvailable] = useState(640);
  useEffect(() => {
    const element = host.current;
    if (!element || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(([entry]) => entry && setAvailable(entry.contentRect.width || 640));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  const scale = pageScale(pages, available, zoom);
  const first = useRef<HTMLDivElement>(null);

  // bring the first highlighted word into view when the selection changes
  const target = highlight.boxes[0] ?? highlight.labels[0];
  useEffect(() => {
    first.current?.scrollIntoView?.({ block: 'nearest', inline: 'nearest', behavior: 'smooth' });
  }, [target]);

  const box = (b: TraceBox, colour: string, key: string, ref?: Ref<HTMLDivElement>) => (
    <div
      key={key}
      ref={ref}
      data-testid={colour === VALUE_COLOUR ? 'value-box' : 'label-box'}
      style={{ position: 'absolute', left: b.x * scale - 2, top: b.y * scale - 2, width: Math.max(2, b.width * scale) + 4, height: Math.max(2, b.height * scale) + 4, border: `2px solid ${colour}`, borderRadius: 3, pointerEvents: 'none', boxShadow: `0 0 0 2px ${colour}33` }}
    />
  );

  return (
    <div ref={host} style={{ width: '100%', overflow: 'auto', maxHeight: '75vh', background: '#f0f2f5', padding: 8 }} data-testid="sample-pages">
      {pages.map((page) => (
        <div
          key={page.page}
          data-page={page.page}
          style={{ position: 'relative', width: page.width * scale, height: page.height * scale, background: '#fff', boxShadow: '0 1px 4px rgba(0,0,0,.15)', margin: '0 auto 12px', overflow: 'hidden' }}
        >
          {items.map((item, index) =>
            item.page !== page.page ? null : (
              <div
                key={index}
                data-item={index}
                data-highlighted={highlight.items.has(index) ? '1' : undefined}
                title={item.confidence !== undefined ? `${item.text} (${Math.round(item.confidence)}%)` : item.text}
                style={{
                  position: 'absolute',
                  left: item.x * scale,
                  top: item.y * scale,
                  minWidth: Math.max(1, item.width * scale),
                  height: Math.max(1, item.height * scale),
                  fontSize: Math.max(4, item.height * scale * 0.82),
                  lineHeight: `${Math.max(1, item.height * scale)}px`,
                  whiteSpace: 'pre',
                  color: highlight.items.size && !highlight.items.has(index) ? '#8c8c8c' : '#1f1f1f',
                  background: highlight.items.has(index) ? 'rgba(250, 173, 20, 0.28)' : undefined,
                  fontFamily: 'Arial, "Noto Sans SC", "Microsoft YaHei", sans-serif',
                }}
              >
                {item.text}
              </div>
            ),
          )}
          {highlight.labels.filter((b) => b.page === page.page).map((b, i) => box(b, LABEL_COLOUR, `l${i}`, b === target ? first : undefined))}
          {highlight.boxes.filter((b) => b.page === page.page).map((b, i) => box(b, VALUE_COLOUR, `v${i}`, b === target ? first : undefined))}
        </div>
      ))}
    </div>
  );
}
