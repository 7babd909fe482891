// @ts-check
const tseslint = require('typescript-eslint');
const { builtinModules } = require('node:module');

/**
 * Folders are layers, lowest first; a file may import only from its own layer and those below.
 * (bench/ and test/ sit on top of everything.)
 */
const LAYERS = ['domain', 'infra', 'db', 'services', 'temporal', 'api', 'bin', 'tools'];
const layerRules = LAYERS.map((layer, i) => ({
  files: [`${layer}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: LAYERS.slice(i + 1).map((above) => ({
          group: [`../${above}/*`, `../../${above}/*`, `../../../${above}/*`, `../${above}`, `../../${above}`],
          message: `${layer}/ is below ${above}/: dependencies point one way (${LAYERS.join(' ← ')}).`,
        })),
      },
    ],
  },
}));

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)].map((name) => ({
  name,
  message: 'Workflow code must be deterministic: no Node built-ins. Do I/O in an activity.',
}));

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
  ...layerRules,
  {
    // ui/ is browser code (the portal and console), bundled by esbuild: it talks to the server only
    // through the public JSON API, so it imports none of the server's layers, nor Node built-ins;
    // only the API's answer types (api/types.ts), as types, which the bundle erases.
    files: ['ui/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((b) => ({ ...b, message: 'ui/ runs in the browser: no Node built-ins.' })),
          patterns: [
            ...LAYERS.map((layer) => ({
              group: [`../${layer}/*`, `../../${layer}/*`, `../${layer}`, `../../${layer}`, '!../../api/types'],
              message: 'ui/ uses the public JSON API only, not server code.',
            })),
            { group: ['../../api/types'], allowTypeImports: true, message: 'ui/ takes the API types with `import type` only.' },
          ],
        },
      ],
    },
  },
  {
    // Workflow code is replayed: no Node built-ins, no I/O (samples-typescript's rule); of our code,
    // only other workflow files, the pure enums, and the activities as a type.
    files: ['temporal/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins,
          patterns: [
            { regex: '^\\.\\./(?!activities$|\\.\\./domain/enums$)', message: 'Workflows may import only workflows/, domain/enums and (as a type) activities.' },
            { group: ['../activities'], allowTypeImports: true, message: 'Workflows import activities only as a type (proxyActivities<...>).' },
          ],
        },
      ],
    },
  },
);
