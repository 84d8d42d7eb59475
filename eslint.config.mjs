import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  { ignores: ['node_modules/', '.tools/', 'data/', 'logs/', 'coverage/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-console': 'off',
    },
  },
  {
    files: ['src/workflows/**/*.ts', 'src/domain/**/*.ts'],
    rules: {
      // Workflow code is replayed: wall clocks and randomness break determinism.
      'no-restricted-globals': ['error', { name: 'setTimeout', message: 'Use workflow sleep()' }],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/activities/*',
                '!**/activities/options',
                '!**/activities/notify-options',
                '!**/activities/failure-types',
                '**/adapters/*',
                'fs',
                'net',
                'http',
              ],
              message: 'Workflows and domain stay pure; import activities as types only.',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        module: 'writable',
        require: 'readonly',
        __dirname: 'readonly',
        process: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  prettier,
);
