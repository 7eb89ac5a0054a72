/**
 * Pushing to an OCI registry with the CLIs Flux users push with: `flux push artifact` /
 * `flux tag artifact` for Flux artifacts and `helm push` for charts. No registry protocol here.
 */
export { pushArtifact, tagArtifact, type PushArtifactOptions, type PushedArtifact, type TagArtifactOptions } from './artifact.ts';
export { pushChart, type PushChartOptions, type PushedChart } from './chart.ts';
export { createPublisher, type Publisher, type PublisherOptions, type PublishRequest, type Published } from './publisher.ts';
export { createLimiter, type Limiter } from './limit.ts';
export { parseOciReference, type OciReference } from './reference.ts';
export { fluxMediaTypes, helmMediaTypes, ociAnnotations } from '../util/oci-media-types.ts';
