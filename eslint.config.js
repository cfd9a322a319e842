// Lint rules for the whole tree: typescript-eslint's recommended set, React's hook rules for the dashboard, and
// formatting left to Prettier (`npm run lint` checks both).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

/**
 * The layers, each with what it may not import and why (the map is in CONTRIBUTING.md). `regex` is matched against
 * the import as written, so a rule holds at any folder depth.
 */
const LAYERS = [
  {
    files: ['server/contract/**/*.ts'],
    forbid: [
      {
        regex: '^(?!zod$|\\./)',
        message: 'server/contract/ is runtime-neutral (the browser imports it too): only zod and its own files.',
      },
    ],
  },
  {
    files: ['renderer/src/**/*.{ts,tsx}'],
    forbid: [
      {
        regex: '(^|/)(server/(?!contract/)|electron/)|^node:',
        message:
          'The dashboard runs in a browser and talks to the core over HTTP: from the server it imports only server/contract/.',
      },
    ],
  },
  {
    files: ['electron/**/*.ts'],
    ignores: ['electron/core-service.ts'],
    forbid: [
      {
        regex: '(^|/)server/(store|http|webhooks|sandbox|whatsapp|cli)/',
        message:
          "electron/ is a thin shell: it drives the core through server/core.ts, never the core's storage, HTTP, WhatsApp session or sandbox.",
      },
      {
        regex: '(^|/)server/core\\.ts$',
        message:
          'The core runs in its utility process (electron/core-service.ts): the main process drives it over electron/core-channel.ts and never loads it.',
      },
    ],
  },
  {
    files: ['electron/core-service.ts'],
    forbid: [
      {
        regex: '(^|/)server/(store|http|webhooks|sandbox|whatsapp|cli)/',
        message:
          "electron/ is a thin shell: it drives the core through server/core.ts, never the core's storage, HTTP, WhatsApp session or sandbox.",
      },
    ],
  },
  {
    files: ['server/credentials/**/*.ts', 'server/data-folder.ts'],
    forbid: [
      {
        regex: '(^|/)(store|http|whatsapp|webhooks|sandbox|cli)/|(^|/)(core|cli)\\.ts$',
        message:
          'The data folder and the credentials key come before the core: the desktop app and `wagate serve` use them to start it.',
      },
    ],
  },
  {
    files: ['server/whatsapp/**/*.ts', 'server/webhooks/**/*.ts'],
    forbid: [
      {
        regex: '^\\.\\./(http|sandbox|cli)/|^\\.\\./(core|cli)\\.ts$',
        message:
          'The parts of the core sit below the HTTP layer, the sandbox and the composition root: they are given what they need.',
      },
    ],
  },
  {
    files: ['server/http/**/*.ts'],
    forbid: [
      {
        regex: '(^|/)(cli/|cli\\.ts$|core\\.ts$)',
        message: 'server/http/ is built by the composition root (server/core.ts), which hands it its parts.',
      },
    ],
  },
  {
    files: ['server/sandbox/**/*.ts'],
    forbid: [
      {
        regex: '^\\.\\./(http|webhooks|cli)/|^\\.\\./(core|cli)\\.ts$',
        message:
          "The sandbox plays WhatsApp's server: WaGate's HTTP layer mounts its control routes (server/http/routes/sandbox.ts), not the other way round.",
      },
    ],
  },
  {
    files: ['server/store/**/*.ts'],
    forbid: [
      {
        regex: '^\\.\\./(whatsapp|http|webhooks|sandbox|cli|core\\.ts|cli\\.ts)',
        message: 'server/store/ is the bottom of the core: the parts above use it, it uses none of them.',
      },
    ],
  },
];

export default tseslint.config(
  { ignores: ['dist/', 'test-results/', 'playwright-report/', 'node_modules/', '.stryker-tmp/', 'reports/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  ...LAYERS.map(({ files, ignores = [], forbid }) => ({
    files,
    ignores,
    rules: { 'no-restricted-imports': ['error', { patterns: forbid }] },
  })),
  {
    // The test 'wagate serve is listening before it loads Node's fetch (undici) or TLS' holds the start; this says why.
    files: ['server/**/*.ts'],
    ignores: ['server/sandbox/**', 'server/http/node-http.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'node:http',
              allowTypeImports: true,
              message:
                "node:http's values come from server/http/node-http.ts: an ESM import loads Node's undici (~55 ms of a start).",
            },
          ],
        },
      ],
    },
  },
  {
    // Tests read answers' JSON bodies, whose shape is what they assert.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  prettier,
);
