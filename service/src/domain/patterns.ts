// A case-insensitive pattern written as alternatives across lines: the same as one long literal, within 160 columns.
export const anyOf = (parts: string[]) => new RegExp(parts.join('|'), 'i');
