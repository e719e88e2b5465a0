// Under Node, `import 'rxjs'` takes rxjs's CommonJS build and loads all of it (about 220 modules,
// roughly 0.1 s of every command's start); Stowage needs only Subject, whose own module loads
// about 18. It is rxjs's one Subject class, so the Observables it makes are ordinary rxjs ones.
export { Subject } from 'rxjs/internal/Subject';
