// Vite bundles a stylesheet imported for its side effect (`import './styles.css'`); TypeScript 6
// checks side-effect imports (noUncheckedSideEffectImports), so the module needs a declaration.
declare module '*.css';
