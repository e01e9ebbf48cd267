import { Param, PipeTransform } from '@nestjs/common';
import { VALIDATION_ERROR } from '../../common/errors/common.errors';

const SINGLE_LINE = /^[^\u0000-\u001f\u007f]*$/;

class ParseCompetencyCodePipe implements PipeTransform<string, string> {
  transform(value: string): string {
    const code = typeof value === 'string' ? value.trim() : '';
    if (code !== '' && code.length <= 100 && SINGLE_LINE.test(code)) return code;
    const message = 'code must be 1 to 100 characters without control characters';
    throw VALIDATION_ERROR([{ field: 'code', message }], message);
  }
}

/** The `{code}` path parameter, trimmed like the stored codes (matching is case-insensitive, in the service). */
export const CompetencyCodeParam = (name = 'code') => Param(name, new ParseCompetencyCodePipe());
