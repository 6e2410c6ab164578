import { apiErrorStatus, type ApiErrorCode } from './api-error-codes.ts';

/** One problem with a request: the field (dot-separated path, `(root)` for the body) and what is wrong. */
export interface ApiIssue {
  path: string;
  message: string;
}

/** The JSON body of every control-plane error response. */
export interface ApiErrorBody {
  error: {
    code: ApiErrorCode;
    /** What was wrong and what to do about it. */
    message: string;
    /** Present for `invalid_request`: each offending field on its own. */
    issues?: ApiIssue[];
  };
}

/**
 * An error the control plane answers on purpose. Thrown by services; the exception filter turns it
 * into {@link ApiErrorBody} with the status from the code table.
 */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly issues: ApiIssue[] | undefined;

  constructor(code: ApiErrorCode, message: string, issues?: ApiIssue[]) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.issues = issues;
  }

  /** The HTTP status of this error's code. */
  get status(): number {
    return apiErrorStatus[this.code];
  }

  /** The response body. */
  toBody(): ApiErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.issues === undefined ? {} : { issues: this.issues }),
      },
    };
  }

  /** A 400 naming each bad field; the message lists them too, for clients that show only the message. */
  static invalidRequest(issues: ApiIssue[], lead = 'The request is invalid'): ApiError {
    const listed = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
    return new ApiError('invalid_request', `${lead}: ${listed}`, issues);
  }

  /** A 404 naming what was looked for. */
  static notFound(message: string): ApiError {
    return new ApiError('not_found', message);
  }

  /** A 409 saying what collides and how to proceed. */
  static conflict(message: string): ApiError {
    return new ApiError('conflict', message);
  }
}

/** Renders a path of keys as `price.inputPerMillionMicros`, or `(root)` for the body itself. */
export function formatIssuePath(path: readonly (string | number)[]): string {
  return path.length === 0 ? '(root)' : path.map(String).join('.');
}
