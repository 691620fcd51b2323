import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules', 'client/dist', 'dist', 'data', 'artifacts', 'coverage'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Plain Node scripts (npm start must run without a TypeScript runner).
    files: ['scripts/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', performance: 'readonly' } },
  },
  {
    // Type-aware, for the server: a promise nobody awaits or catches is a storage write whose
    // failure nobody hears, or an ack sent before its transaction committed (SCALE-5).
    files: ['server/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='it'][property.name='only']", message: 'no .only' },
        { selector: "MemberExpression[object.name='describe'][property.name='only']", message: 'no .only' },
        { selector: "MemberExpression[object.name='test'][property.name='only']", message: 'no .only' },
        { selector: "MemberExpression[property.name='skip']", message: 'no skipped tests' },
      ],
    },
  },
);
