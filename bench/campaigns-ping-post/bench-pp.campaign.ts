import { benchCampaign } from './bench-buyer';

/** Five buyers answering their pings in 20, 60, 120 and 250 ms, and one never (bench/ping-post.bench.ts). */
export default benchCampaign('bench-pp', 'Bench ping-post, five buyers', ['b20', 'b60', 'b120', 'b250', 'silent']);
