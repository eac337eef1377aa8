/**
 * Choosing or dropping the portfolio file, checking its first bytes, and sending it with upload
 * progress in bytes. Every way it can go wrong ends in a message that says what to do next.
 */
import type { Ref } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { askForCredential, isAuthStatus } from '../api.js';
import type { ErrorBody } from '../contract.js';
import { Notice } from '../components/notice.js';
import { bytes, duration, percent } from '../format.js';
import { fileProblem } from '../problems.js';
import { inspectFile, sendFile, type Upload, type UploadOutcome, type UploadPlan } from '../upload.js';

interface Progress {
  readonly file: File;
  readonly format: string;
  readonly loaded: number;
  readonly total: number;
  readonly startedAt: number;
}

interface Problem {
  readonly title: string;
  readonly lines?: readonly string[];
  /** The file to send again when the problem was the connection. */
  readonly retry?: { readonly file: File; readonly plan: UploadPlan };
  readonly tone?: 'error' | 'info';
}

function refusal(status: number, body: ErrorBody, file: File): Problem {
  const lines = (body.details ?? []).map(fileProblem);
  switch (status) {
    case 400:
      return { title: `The server refused “${file.name}”: ${body.error}.`, lines };
    case 413:
      return {
        title: `“${file.name}” (${bytes(file.size)}) is larger than the server accepts.`,
        lines: [
          'Split the portfolio into smaller files, or compress it (a .csv.gz file is sent compressed).',
          `The server said: ${body.error}.`,
        ],
      };
    case 415:
      return {
        title: `The server does not take this kind of file: ${body.error}.`,
        lines: ['Choose a CSV file (.csv or .csv.gz) or JSON lines (.jsonl).'],
      };
    case 429:
      return { title: `Too many rows for now: ${body.error}.`, lines: ['Wait a little and send the file again.'] };
    case 503:
      return {
        title: `Portfolio scoring is not available right now: ${body.error}.`,
        lines: ['Try again in a few minutes; if it lasts, tell the platform team.'],
      };
    default:
      if (isAuthStatus(status))
        return {
          title: 'An API key with permission to score portfolios is needed.',
          lines: ['Use the API key button at the top of the page.'],
        };
      return { title: `The upload failed (${status}): ${body.error}.`, lines };
  }
}

interface DropzoneProps {
  readonly compact: boolean;
  readonly dragging: boolean;
  readonly onDragging: (dragging: boolean) => void;
  readonly input: Ref<HTMLInputElement>;
  readonly choose: (file: File | undefined) => Promise<void>;
}

function Dropzone({ compact, dragging, onDragging, input, choose }: DropzoneProps) {
  return (
    <label
      for="portfolio-file"
      class={`dropzone ${dragging ? 'is-dragging' : ''} ${compact ? 'is-compact' : ''}`}
      onDragOver={(event) => {
        event.preventDefault();
        onDragging(true);
      }}
      onDragLeave={() => onDragging(false)}
      onDrop={(event) => {
        event.preventDefault();
        onDragging(false);
        void choose(event.dataTransfer?.files[0]);
      }}
    >
      <span class="dropzone-title">Drop a file of loan holders here, or choose one</span>
      <span class="dropzone-hint">
        CSV with a header line naming the columns (an <code>id</code> column is kept), or JSON lines; compressed .gz
        files too. Sent as it is, however large.
      </span>
      <input
        ref={input}
        type="file"
        id="portfolio-file"
        class="visually-hidden"
        accept=".csv,.gz,.jsonl,.ndjson,.txt,text/csv,application/gzip"
        onChange={(event) => void choose(event.currentTarget.files?.[0])}
      />
      <span class="dropzone-button" aria-hidden="true">
        Choose file
      </span>
    </label>
  );
}

/** The bytes sent so far, the speed and the time left once the speed means something, and a way to cancel. */
function UploadProgress({ progress, onCancel }: { progress: Progress; onCancel: () => void }) {
  const elapsed = (performance.now() - progress.startedAt) / 1000;
  const speed = elapsed > 0.5 ? progress.loaded / elapsed : undefined;
  return (
    <div class="progress-block" id="upload-progress">
      <p class="progress-title">
        Uploading <strong>{progress.file.name}</strong> ({progress.format}
        {progress.file.name.toLowerCase().endsWith('.gz') ? ', compressed' : ''})
      </p>
      <progress
        value={progress.loaded}
        max={progress.total || 1}
        aria-label="Upload progress"
        aria-valuetext={`${bytes(progress.loaded)} of ${bytes(progress.total)}`}
      />
      <p class="progress-numbers">
        <span id="upload-bytes">
          {bytes(progress.loaded)} of {bytes(progress.total)}
        </span>
        <span>{percent(progress.total ? progress.loaded / progress.total : 0, 0)}</span>
        {speed !== undefined && <span>{bytes(speed)}/s</span>}
        {speed !== undefined && <span>{duration((progress.total - progress.loaded) / speed)} left</span>}
      </p>
      <button type="button" class="secondary outline small" id="cancel-upload" onClick={onCancel}>
        Cancel upload
      </button>
    </div>
  );
}

/** What went wrong and what to do next: a lost connection offers to send the same file again. */
function UploadProblem({ problem, onRetry }: { problem: Problem; onRetry: (file: File, plan: UploadPlan) => void }) {
  return (
    <Notice tone={problem.tone ?? 'error'} title={problem.title} id="portfolio-error">
      {problem.lines && problem.lines.length > 0 && (
        <ul>
          {problem.lines.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      )}
      {problem.retry && (
        <button
          type="button"
          id="retry-upload"
          onClick={() => {
            const { file, plan } = problem.retry ?? {};
            if (file && plan) onRetry(file, plan);
          }}
        >
          Send “{problem.retry.file.name}” again
        </button>
      )}
    </Notice>
  );
}

export function UploadPanel({ onAccepted, compact }: { onAccepted: (id: string) => void; compact: boolean }) {
  const [progress, setProgress] = useState<Progress | undefined>(undefined);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const [dragging, setDragging] = useState(false);
  const upload = useRef<Upload | undefined>(undefined);
  const input = useRef<HTMLInputElement>(null);

  const send = async (file: File, plan: UploadPlan): Promise<void> => {
    setProblem(undefined);
    const startedAt = performance.now();
    setProgress({ file, format: plan.format, loaded: 0, total: file.size, startedAt });
    const started = sendFile(file, plan, (loaded, total) => {
      setProgress({ file, format: plan.format, loaded, total, startedAt });
    });
    upload.current = started;
    const outcome: UploadOutcome = await started.done;
    upload.current = undefined;
    setProgress(undefined);
    if (input.current) input.current.value = '';
    switch (outcome.kind) {
      case 'accepted':
        onAccepted(outcome.batch.id);
        return;
      case 'cancelled':
        setProblem({ tone: 'info', title: 'Upload cancelled. The server keeps nothing of a half upload.' });
        return;
      case 'lost':
        setProblem({
          title: `The connection was lost after ${bytes(outcome.loaded)} of ${bytes(file.size)}.`,
          lines: ['Check the connection, then send the file again: the server keeps nothing of a half upload.'],
          retry: { file, plan },
        });
        return;
      case 'refused':
        if (
          isAuthStatus(outcome.status) &&
          (await askForCredential({ status: outcome.status, message: outcome.body.error }))
        ) {
          await send(file, plan);
          return;
        }
        setProblem(refusal(outcome.status, outcome.body, file));
    }
  };

  const choose = async (file: File | undefined) => {
    if (!file || upload.current) return;
    setProblem(undefined);
    const inspection = await inspectFile(file);
    if (!inspection.ok) {
      setProblem({ title: inspection.message });
      if (input.current) input.current.value = '';
      return;
    }
    await send(file, inspection.plan);
  };

  return (
    <section class="panel" aria-labelledby="upload-heading">
      <h3 id="upload-heading">{compact ? 'Score another portfolio' : 'Score a portfolio'}</h3>
      {!progress && (
        <Dropzone compact={compact} dragging={dragging} onDragging={setDragging} input={input} choose={choose} />
      )}
      {progress && <UploadProgress progress={progress} onCancel={() => upload.current?.cancel()} />}
      <div aria-live="polite">
        {problem && <UploadProblem problem={problem} onRetry={(file, plan) => void send(file, plan)} />}
      </div>
    </section>
  );
}
