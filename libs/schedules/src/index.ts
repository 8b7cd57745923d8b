export { repeatOptionsFor, type RepeatOptions, type ScheduleRepeat } from './job-scheduler.options';
export { validateSchedule } from './schedule.validator';
export { nextFireTimes } from './fire-times.calculator';
