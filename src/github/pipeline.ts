export { compose, type Handler, type Middleware } from '../serving/pipeline.ts';
