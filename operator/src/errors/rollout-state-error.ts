/** The rollout recorded in a LoanRiskModel's status contradicts itself (edited by hand?); the message says how. */
export class RolloutStateError extends Error {
  override readonly name = 'RolloutStateError';
}
