import { Matches } from 'class-validator';

/** Refuses strings that are empty or only whitespace. */
export const NotBlank = () => Matches(/\S/, { message: 'This field may not be blank.' });
