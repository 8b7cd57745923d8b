/** Real-time dispatches: one job per dispatch, job id = dispatch id. */
export const DISPATCH_QUEUE = 'dispatch';
/** The sweeper, the retention job and scheduled batch ticks (job schedulers: each tick runs once across instances). */
export const SCHEDULE_QUEUE = 'schedule';

export interface DispatchJob {
  dispatchId: string;
}

export interface ScheduleJob {
  /** `sweep`: the sweeper; `batch`: a scheduled delivery's tick; `send`: (re)send one batch; `retention`: erase lead data past its window. */
  kind: 'sweep' | 'batch' | 'send' | 'retention';
  campaignId?: string;
  deliveryId?: string;
  batchId?: string;
}
