// @ts-check
const tseslint = require('typescript-eslint');
const { builtinModules } = require('node:module');

module.exports = tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.cache/', '.data/', 'coverage/', 'eslint.config.js', 'jest.config.js'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: __dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Workflow code is replayed: no Node built-ins, no I/O (samples-typescript's rule).
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...builtinModules, ...builtinModules.map((m) => `node:${m}`)].map((name) => ({
            name,
            message: 'Workflow code must be deterministic: no Node built-ins. Do I/O in an activity.',
          })),
          patterns: [{ group: ['../lib/*', '../db/*', '../api/*'], message: 'Workflows may import only workflows/ and types.' }],
        },
      ],
    },
  },
);
