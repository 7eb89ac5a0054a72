export { systemClock, ManualClock, type Clock } from '../serving/clock.ts';
