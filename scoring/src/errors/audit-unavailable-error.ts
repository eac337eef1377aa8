/** AUDIT_MODE=required and the decision could not be made durable: 503, the client retries with the same X-Request-Id. */
export class AuditUnavailableError extends Error {
  override readonly name = 'AuditUnavailableError';

  constructor(cause: string) {
    super(
      `the decision could not be recorded in the audit trail (${cause}); no answer is given without a record: retry with the same X-Request-Id`,
    );
  }
}
