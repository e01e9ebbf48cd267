import { AppError } from '../../common/errors/app-error';

// The competencies feature's error catalogue: each builder is named as the code it answers with.

export const COMPETENCY_NOT_FOUND = () => AppError.notFound('COMPETENCY_NOT_FOUND', 'Competency not found');

export const COMPETENCY_CODE_TAKEN = () => AppError.conflict('COMPETENCY_CODE_TAKEN', 'Competency code already exists');
