/**
 * A list that renders only the rows in view (plus a margin), so ten thousand
 * timeline entries cost as much DOM as thirty. Rows have a fixed height;
 * positions are set through the CSSOM (`style.transform`), which the CSP
 * allows, never through inline style attributes, which it does not.
 * `onNearEnd` fires when the view comes within a few screens of the last
 * loaded row: the caller fetches the next page with the API's cursor.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';

export interface VirtualListProps<T> {
  readonly items: readonly T[];
  readonly rowHeight: number;
  readonly label: string;
  readonly keyOf: (item: T) => string;
  readonly renderRow: (item: T, index: number) => ComponentChildren;
  readonly onNearEnd?: () => void;
  /** Rendered after the last row (loading, end of history). */
  readonly footer?: ComponentChildren;
}

const OVERSCAN = 8;

export const VirtualList = <T,>(props: VirtualListProps<T>) => {
  const { items, rowHeight } = props;
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  const frame = useRef(0);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    setHeight(el.clientHeight);
    const observer = new ResizeObserver(() => setHeight(el.clientHeight));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const onScroll = () => {
    cancelAnimationFrame(frame.current);
    frame.current = requestAnimationFrame(() => setScrollTop(ref.current?.scrollTop ?? 0));
  };

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN);
  const last = Math.min(items.length, Math.ceil((scrollTop + height) / rowHeight) + OVERSCAN);
  const nearEnd = last >= items.length - Math.ceil((2 * height) / rowHeight);

  useEffect(() => {
    if (nearEnd) props.onNearEnd?.();
  }, [nearEnd, items.length]);

  const rows = [];
  for (let i = first; i < last; i++) {
    const item = items[i] as T;
    rows.push(
      <li
        key={props.keyOf(item)}
        class="vrow"
        aria-setsize={items.length}
        aria-posinset={i + 1}
        style={{ transform: `translateY(${i * rowHeight}px)`, height: `${rowHeight}px` }}
      >
        {props.renderRow(item, i)}
      </li>,
    );
  }
  return (
    <div ref={ref} class="vlist" onScroll={onScroll} data-testid="virtual-list">
      <ul class="vlist-inner" aria-label={props.label} style={{ height: `${items.length * rowHeight}px` }}>
        {rows}
      </ul>
      {props.footer && <div class="vlist-footer">{props.footer}</div>}
    </div>
  );
};
