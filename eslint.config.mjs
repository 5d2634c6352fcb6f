// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Packages only one layer may use (DESIGN.md, "The one data flow"). */
const XML_LIBS = ['fast-xml-parser', 'xmlbuilder2'];
const TRANSPORT = ['undici'];

/** Keeps the dependency direction: model ← xml ← the rest; faces never touch the parser or the transport. */
const layer = (files, { paths = [], patterns = [] }) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', {
      paths: paths.map((name) => ({ name, message: 'this layer must not depend on it (DESIGN.md)' })),
      patterns: patterns.map((group) => ({ group: [group], message: 'this layer must not depend on it (DESIGN.md)' })),
    }],
  },
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'test/fixtures/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { parserOptions: { projectService: false } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'max-lines': ['warn', { max: 300, skipBlankLines: true, skipComments: true }],
    },
  },
  layer(['src/model/**'], { paths: [...XML_LIBS, ...TRANSPORT, 'zod'], patterns: ['../*'] }),
  layer(['src/xml/**'], { paths: TRANSPORT, patterns: ['../json/*', '../cli/*', '../rest/*', '../graphql/*', '../batch/*', '../upstream/*', '../operations/*', '../reads/*'] }),
  layer(['src/json/**'], { paths: [...XML_LIBS, ...TRANSPORT], patterns: ['../xml/*', '../cli/*', '../rest/*', '../graphql/*', '../batch/*', '../upstream/*'] }),
  layer(['src/formats/**'], { paths: [...XML_LIBS, ...TRANSPORT], patterns: ['../xml/*', '../cli/*', '../rest/*', '../graphql/*', '../batch/*', '../upstream/*', '../operations/*', '../reads/*'] }),
  layer(['src/operations/**', 'src/batch/**', 'src/reads/**'], { paths: [...XML_LIBS, ...TRANSPORT], patterns: ['../cli/*', '../rest/*', '../graphql/*'] }),
  layer(['src/cli/**', 'src/rest/**', 'src/graphql/**'], { paths: [...XML_LIBS, ...TRANSPORT] }),
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    languageOptions: { globals: globals.node },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
