import { Matches } from 'class-validator';

/** Refuses strings that are empty or only whitespace. */
export const NotBlank = () => Matches(/\S/, { message: '$property must not be blank' });
