/**
 * spec.pinnedVersion, validated: only a version that passed the quality gate here may be served
 * by hand (the live or previous version, or one with an Accepted entry in the history). A refused
 * pin changes nothing: what served before (a pin validated earlier, else the live version) goes on.
 */
import type { RolloutRecord } from './state-machine.js';

export type Pin =
  | { kind: 'None'; serve?: undefined }
  | { kind: 'Valid'; version: string; serve: string }
  | { kind: 'Refused'; version: string; serve?: string; message: string };

export function validatePin(
  pinned: string | undefined,
  record: RolloutRecord,
  previouslyServed: string | undefined,
  approvalRequired = false,
): Pin {
  if (!pinned) return { kind: 'None' };
  const passedGate =
    pinned === record.live?.version ||
    pinned === record.previousVersion ||
    record.history.some(
      (h) =>
        h.version === pinned && h.outcome === 'Accepted' && (!approvalRequired || h.approval?.decision === 'approve'),
    );
  if (passedGate) return { kind: 'Valid', version: pinned, serve: pinned };
  const keeps = previouslyServed
    ? `pinned version ${previouslyServed}`
    : `live version ${record.live?.version ?? '(none)'}`;
  return {
    kind: 'Refused',
    version: pinned,
    serve: previouslyServed,
    message: `spec.pinnedVersion ${pinned} is refused: it never passed the quality gate here (not the live or previous version, no Accepted entry in status.history${approvalRequired ? ' with an approval' : ''}); still serving ${keeps}`,
  };
}
