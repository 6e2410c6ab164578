import { BadRequestException, NotFoundException } from '@nestjs/common';
import { SwitchboardValidationError } from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApiError } from './api-error.ts';
import { toApiError } from './to-api-error.ts';

describe('toApiError', () => {
  it('keeps our own errors as they are', () => {
    const error = ApiError.conflict('taken');
    expect(toApiError(error)).toBe(error);
    expect(error.status).toBe(409);
  });

  it('turns core validation errors into 400 with one issue per field', () => {
    const error = toApiError(
      new SwitchboardValidationError('bad', [
        { path: ['price', 'inputPerMillionMicros'], message: 'too small' },
      ]),
    );
    expect(error.toBody()).toEqual({
      error: {
        code: 'invalid_request',
        message: 'The request is invalid: price.inputPerMillionMicros: too small',
        issues: [{ path: 'price.inputPerMillionMicros', message: 'too small' }],
      },
    });
  });

  it('turns zod errors into 400 naming the field', () => {
    const parsed = z.strictObject({ priceVersion: z.string() }).safeParse({ priceVersion: 1 });
    const error = toApiError(parsed.error);
    expect(error.status).toBe(400);
    expect(error.issues?.[0]?.path).toBe('priceVersion');
  });

  it('explains invalid JSON and unknown routes', () => {
    expect(toApiError(new BadRequestException('Unexpected token')).message).toMatch(
      /not valid JSON.*Content-Type: application\/json/,
    );
    const route = toApiError(new NotFoundException('Cannot GET /admin/models/openai/gpt-4o'));
    expect(route.status).toBe(404);
    expect(route.message).toMatch(/no route GET \/admin\/models\/openai\/gpt-4o.*URL-encoded/);
  });

  it('maps body-parser size errors to 413', () => {
    const tooLarge = Object.assign(new Error('request entity too large'), {
      status: 413,
      type: 'entity.too.large',
    });
    expect(toApiError(tooLarge).status).toBe(413);
  });

  it('hides the detail of anything else behind a 500', () => {
    const error = toApiError(new TypeError('secret internal detail'));
    expect(error.status).toBe(500);
    expect(error.message).not.toContain('secret internal detail');
  });
});
