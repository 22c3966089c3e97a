// Lint rules beside `tsc --noEmit`: the type checker proves types, this catches what it does not.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', '.kiln/**', 'web/**/dist/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error',
        { selector: 'TSEnumDeclaration', message: 'Erasable syntax only: use a union of string literals.' },
        { selector: 'TSModuleDeclaration[kind!="global"]', message: 'Erasable syntax only: no namespaces.' },
        { selector: 'TSParameterProperty', message: 'Erasable syntax only: no parameter properties.' },
      ],
      eqeqeq: ['error', 'smart'],
    },
  },
);
