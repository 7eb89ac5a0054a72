import type { Kubectl } from '../../../../src/run/kubectl.ts';
import type { K8sObject } from '../../../../src/workload/index.ts';

/**
 * kubectl as the phases call it: each call recorded as `<verb> <kinds given> x<count>` (with the
 * timeout of a wait); `fail` makes matching calls reject as kubectl does.
 */
export function recordingKubectl(fail?: RegExp): { kubectl: Kubectl; calls: string[] } {
  const calls: string[] = [];
  const kubectl: Kubectl = async (args, input) => {
    const items = input ? (JSON.parse(input) as { items: K8sObject[] }).items : [];
    const kinds = [...new Set(items.map((o) => o.kind))].join(',');
    const timeout = args[0] === 'wait' ? ` ${args.find((a) => a.startsWith('--timeout='))}` : '';
    const call = `${args[0]} ${kinds} x${items.length}${timeout}`;
    calls.push(call);
    if (fail?.test(call)) throw new Error(`kubectl ${args[0]}: timed out waiting for the condition`);
    return '';
  };
  return { kubectl, calls };
}
