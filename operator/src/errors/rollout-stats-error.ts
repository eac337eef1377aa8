/** An API pod's GET /rollout/stats could not be read or is not the RolloutStats contract; the step waits. */
export class RolloutStatsError extends Error {
  override readonly name = 'RolloutStatsError';
}
