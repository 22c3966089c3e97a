// Failures the data plane reports to its callers. They carry what went wrong and where (a field or
// query parameter path); the experience plane decides how each kind looks on the wire.
export type DataErrorKind = 'invalid_query' | 'invalid_body' | 'not_found' | 'conflict' | 'forbidden' | 'unauthenticated';

export type FieldProblem = { field: string; detail: string };

export class DataError extends Error {
  readonly kind: DataErrorKind;
  readonly errors: FieldProblem[];
  constructor(kind: DataErrorKind, message: string, errors: FieldProblem[] = []) {
    super(message);
    this.kind = kind;
    this.errors = errors;
  }
}

export const invalidQuery = (field: string, detail: string) => new DataError('invalid_query', `Invalid query parameter "${field.split('.')[0]}"`, [{ field, detail }]);
export const notFound = (what: string) => new DataError('not_found', what);
