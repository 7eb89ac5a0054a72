export { startFlux, plannedInstances, defaultFluxControllers, type StartedFlux, type RunningController, type ControllerProcess, type FluxControllersConfig, type StartFluxOptions } from './flux.ts';
export { controllerArgs, settingsArgs, shardSelector, type ControllerSettings, type ControllerInstance, type ControllerPorts } from './controller-args.ts';
export { SupervisedProcess, classifyExit, backoffDelay, defaultBackoff, type ExitRecord, type ExitCause, type BackoffPolicy } from './supervisor.ts';
export { createMemoryCgroup, createCpuCgroup, detectCgroupRoots, parseOomKills, parseCpuMax, cpuQuotaUs, cpuPeriodUs, type MemoryCgroup, type CpuCgroup } from './cgroup.ts';
export { applyCrds } from './crds.ts';
export { renderFluxInstallManifests, renderFluxInstall, readCrds, fluxInstallYaml, podControllerArgs, defaultFluxNamespace, defaultImageRepository, webhookReceiverService, type KubeObject, type PodControllerInstance, type FluxInstallOptions, type FluxInstall } from './manifests.ts';
export { installFluxFromManifests, fluxInstallSteps, podControllerTargets, type InstallFluxOptions, type KubectlStep } from './pod-controllers.ts';
export { startPodFlux, PodControllerProcess, podKillArgs, podMemoryLimitArgs, podCpuLimitArgs, type StartPodFluxOptions } from './pod-flux.ts';
export { watchControllerPods, observePods, podTransitions, exitCauseOfReason, type PodObservation, type PodLifeEvent, type PodChangeIntent, type PodWatch, type PodWatchTarget } from './pod-watch.ts';
