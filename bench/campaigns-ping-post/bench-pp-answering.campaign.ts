import { benchCampaign } from './bench-buyer';

/** The four buyers that answer (20, 60, 120, 250 ms): a round then lasts as long as the slowest (bench/ping-post.bench.ts). */
export default benchCampaign('bench-pp-answering', 'Bench ping-post, answering buyers', ['b20', 'b60', 'b120', 'b250']);
