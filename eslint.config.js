import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/', '**/node_modules/', 'coverage/', 'data/', 'packages/client/src/generated/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', performance: 'readonly', fetch: 'readonly', AbortSignal: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'error',
    },
  },
  {
    // The client package and the web example run in browsers (and in Node 20+, which has these).
    files: ['packages/**', 'examples/**'],
    languageOptions: {
      globals: { atob: 'readonly', Headers: 'readonly', Request: 'readonly', Response: 'readonly', queueMicrotask: 'readonly', document: 'readonly', window: 'readonly', localStorage: 'readonly', location: 'readonly', HTMLElement: 'readonly', HTMLInputElement: 'readonly', HTMLFormElement: 'readonly' },
    },
  },
  {
    files: ['test/**', 'bench/**', 'soak/**', 'scripts/**', '**/*.spec.ts'],
    rules: { 'no-console': 'off' },
  },
);
