import { Param, PipeTransform } from '@nestjs/common';
import { CONFIG_TYPES, ConfigType, isConfigType } from './config-shape';
import { VALIDATION_ERROR } from '../../common/errors/common.errors';

class ParseConfigTypePipe implements PipeTransform<string, ConfigType> {
  transform(value: string): ConfigType {
    const type = typeof value === 'string' ? value.trim().toLowerCase() : value;
    if (isConfigType(type)) return type;
    const message = `type must be one of: ${CONFIG_TYPES.join(', ')}`;
    throw VALIDATION_ERROR([{ field: 'type', message }], message);
  }
}

/** The `{type}` path parameter: sjt, jdt or global (any case); anything else is a 400. */
export const ConfigTypeParam = (name = 'type') => Param(name, new ParseConfigTypePipe());
