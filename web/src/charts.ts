/**
 * Chart.js with only the parts the page draws (bar and line charts on linear and category
 * scales, tooltips, legend) and the annotation plugin for threshold lines: tree-shaken by esbuild.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LogarithmicScale,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import annotationPlugin from 'chartjs-plugin-annotation';

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  LogarithmicScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  Legend,
  annotationPlugin,
);

Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
Chart.defaults.font.size = 12;
Chart.defaults.color = '#5d6b7d';
Chart.defaults.animation = false;
Chart.defaults.maintainAspectRatio = false;

/** Colours with a meaning, shared by charts and styles.css. */
export const COLOURS = {
  flagged: '#c2410c',
  flaggedFill: 'rgba(194, 65, 12, 0.75)',
  calm: '#2563a6',
  calmFill: 'rgba(37, 99, 166, 0.7)',
  threshold: '#9f1239',
  grid: 'rgba(93, 107, 125, 0.15)',
};

/** Ten distinguishable line colours (Tableau 10). */
export const SERIES = [
  '#4e79a7',
  '#f28e2b',
  '#59a14f',
  '#e15759',
  '#76b7b2',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

export { Chart };
export type { ChartConfiguration } from 'chart.js';
