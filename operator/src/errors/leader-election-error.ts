/** This instance lost (or could not keep) the leader Lease; it must stop reconciling. */
export class LeaderElectionError extends Error {
  override readonly name = 'LeaderElectionError';
}
