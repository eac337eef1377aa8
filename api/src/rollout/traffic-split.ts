/**
 * Which version answers a canary request. With an applicant id the choice is sticky: a bucket
 * 0-99 from sha256(candidate version + id) (the rule stated in contracts/src/rollout.ts), the
 * candidate answering buckets below the traffic percent; so raising the percent only moves
 * applicants to the candidate, and the next candidate draws a fresh set. Without an id, a coin.
 */
import { createHash } from 'node:crypto';

export function stickyBucket(candidateVersion: string, applicantId: string): number {
  return (
    createHash('sha256')
      .update(candidateVersion + applicantId)
      .digest()
      .readUInt32BE(0) % 100
  );
}

export class TrafficSplit {
  constructor(
    private readonly candidateVersion: string,
    private readonly percent: number,
  ) {}

  /** True when the candidate answers this applicant (or, without an id, this draw). */
  toCandidate(applicantId: string | undefined): boolean {
    if (this.percent <= 0) return false;
    if (this.percent >= 100) return true;
    if (applicantId === undefined) return Math.random() * 100 < this.percent;
    return stickyBucket(this.candidateVersion, applicantId) < this.percent;
  }
}
