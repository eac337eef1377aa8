/** A step ran without what an earlier step hands it (the journey's order is wrong, or that step was skipped). */
export class StepOrderError extends Error {
  override readonly name = 'StepOrderError';
}
