/** One send's answer, whatever carried it (HTTP or another destination). Never thrown: every failure is described here. */
export interface SendResult {
  startedAt: Date;
  durationMs: number;
  /** The receiver's status (HTTP, or its equivalent), or null when no answer came (timeout, connection error, refused target). */
  status: number | null;
  /** First 1 KiB of the answer's body. */
  body: string | null;
  retryAfter: string | null;
  error: string | null;
  /** A send-time refusal (e.g. private target in production) is final. */
  refused: boolean;
  /** A broker destination's outcome code (domain/destinations.ts), logged beside the status; absent for http. */
  outcome?: string | null;
}
