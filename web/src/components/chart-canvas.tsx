import { useEffect, useRef } from 'preact/hooks';
import { Chart, type ChartConfiguration } from '../charts.js';

interface Props {
  readonly id: string;
  /** What the chart shows, for a screen reader (the canvas is an image to it). */
  readonly label: string;
  readonly config: ChartConfiguration;
  readonly height?: 'short' | 'tall';
}

/** A Chart.js chart on a canvas; drawn again when the (memoised) config changes. */
export function ChartCanvas({ id, label, config, height = 'short' }: Props) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return undefined;
    const chart = new Chart(canvas.current, config);
    return () => {
      chart.destroy();
    };
  }, [config]);
  return (
    <div class={`chart chart-${height}`}>
      <canvas ref={canvas} id={id} role="img" aria-label={label} />
    </div>
  );
}
