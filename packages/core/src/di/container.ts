// The one place tsyringe and its reflect polyfill are loaded: composition happens here, and every
// decorated class (Storage) takes its decorators from this module, so the polyfill is always in
// place before tsyringe reads metadata.
import 'reflect-metadata';

export {
  container as globalContainer,
  type DependencyContainer,
  inject,
  injectAll,
  injectable,
} from 'tsyringe';
