// The dashboard's errors, declared once with stable codes, each saying what to do next.
export type DashboardErrorCode =
  | 'PDK_DASHBOARD_API_UNREACHABLE'
  | 'PDK_DASHBOARD_API_BAD_RESPONSE';

const messages: Record<DashboardErrorCode, string> = {
  PDK_DASHBOARD_API_UNREACHABLE:
    'The control-plane API does not answer. Start it with `npm start` (or check PADDOCK_API_URL), then reload this page.',
  PDK_DASHBOARD_API_BAD_RESPONSE:
    'The control-plane API answered with something the dashboard does not understand. Check that the API and dashboard versions match.',
};

export class DashboardError extends Error {
  readonly code: DashboardErrorCode;
  constructor(code: DashboardErrorCode, detail?: string) {
    super(detail ? `${messages[code]} (${detail})` : messages[code]);
    this.name = 'DashboardError';
    this.code = code;
  }
}

/** An error the API itself reported: its code, status and message are shown to the user as-is. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  /** For a validation error: the body field it is about (a form shows the message beside it). */
  readonly field: string | undefined;
  constructor(status: number, code: string, message: string, field?: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field;
  }
}
