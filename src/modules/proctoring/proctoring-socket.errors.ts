import { AppError } from '../../common/errors/app-error';

// The proctoring gateway's catalogue (docs/proctoring.md): each builder is named as the code it answers with. The
// status only matters to the catalogue's OpenAPI listing; on the socket a code travels in an ack or a connect_error.

export const PEER_NOT_FOUND = () =>
  AppError.notFound('PEER_NOT_FOUND', 'No such peer, or it may not be signalled from this socket');

export const ORIGIN_NOT_ALLOWED = () => AppError.forbidden('ORIGIN_NOT_ALLOWED', 'Origin not allowed');
