import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The React lint plugins arrive with @wordpress/scripts (through @wordpress/eslint-plugin), not as
// direct dependencies: resolve them from there.
const require = createRequire(import.meta.url);
const wpEslintDir = dirname(require.resolve('@wordpress/eslint-plugin'));
const fromWp = (name) => require(require.resolve(name, { paths: [wpEslintDir] }));
const reactHooks = eslint8Plugin(fromWp('eslint-plugin-react-hooks'));
const jsxA11y = fromWp('eslint-plugin-jsx-a11y');

/**
 * eslint-plugin-react-hooks 4 (the version @wordpress/scripts brings) still calls the context
 * methods ESLint 9 removed: give its rules getSource, getScope and getSourceCode back.
 */
function eslint8Plugin(plugin) {
  const rules = Object.fromEntries(Object.entries(plugin.rules).map(([name, rule]) => [name, {
    ...rule,
    create(context) {
      const { sourceCode } = context;
      let current = sourceCode.ast;
      const legacy = Object.create(context, {
        getSource: { value: (node) => sourceCode.getText(node ?? sourceCode.ast) },
        getScope: { value: () => sourceCode.getScope(current) },
        getSourceCode: { value: () => sourceCode },
      });
      const visitor = rule.create(legacy);
      return Object.fromEntries(Object.entries(visitor).map(([selector, handler]) => [selector, (node, ...rest) => {
        current = node;
        return handler(node, ...rest);
      }]));
    },
  }]));
  return { ...plugin, rules };
}

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'data/', 'coverage/', 'bench/out/', 'plugin/build/', '.cache/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', performance: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  // The plugin's admin screens: browser code in TSX.
  {
    files: ['plugin/src/**/*.{ts,tsx}'],
    ...jsxA11y.flatConfigs.recommended,
    plugins: { 'react-hooks': reactHooks, 'jsx-a11y': jsxA11y },
    languageOptions: {
      ...jsxA11y.flatConfigs.recommended.languageOptions,
      globals: { window: 'readonly', document: 'readonly', navigator: 'readonly', URL: 'readonly', URLSearchParams: 'readonly', Intl: 'readonly' },
    },
    rules: {
      ...jsxA11y.flatConfigs.recommended.rules,
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      'no-console': 'error',
    },
  },
  {
    files: ['plugin/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
