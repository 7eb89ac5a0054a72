import type { Sample, SampleSink } from './sample.ts';

/**
 * Sends every sample to each sink in turn. A sink that throws (a closed file) does not keep the
 * others from receiving the sample; the first error is rethrown after all were tried.
 */
export function fanOutSink(...sinks: SampleSink[]): SampleSink {
  return {
    write(sample) {
      let failure: unknown;
      for (const sink of sinks) {
        try {
          sink.write(sample);
        } catch (err) {
          failure ??= err;
        }
      }
      if (failure !== undefined) throw failure;
    },
  };
}

/** Keeps samples in memory (tests, live summaries), optionally only those `keep` accepts. */
export class MemorySink implements SampleSink {
  readonly samples: Sample[] = [];

  constructor(private readonly keep: (sample: Sample) => boolean = () => true) {}

  write(sample: Sample): void {
    if (this.keep(sample)) this.samples.push(sample);
  }
}
