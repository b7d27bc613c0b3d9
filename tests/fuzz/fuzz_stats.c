/* Fuzz target: streaming WebSocket frames (docs/restream-api.md §3): rfo_stats_parse, then the stats state applies
 * the frame as the stats feed does (apply, report wire form for GetStats, age-out). */
#include "fuzz-common.h"
#include "rfo-stats.h"
#include "rfo-stats-report.h"

RFO_FUZZ_INIT()

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	long before = bnum_allocs();
	struct rfo_stats_state state;
	rfo_stats_state_init(&state);

	struct rfo_stats_frame frame;
	struct rfo_error err = {0};
	if (rfo_stats_parse((const char *)data, size, &frame, &err)) {
		(void)rfo_stats_apply_frame(&state, &frame, 1700000000);
		(void)rfo_stats_apply(&state, &frame, 1700000001);
		RFO_FUZZ_ASSERT(state.num_channels <= RFO_STATS_MAX_CHANNELS);
		for (size_t i = 1; i < state.num_channels; i++)
			RFO_FUZZ_ASSERT(state.channels[i - 1].channel_id < state.channels[i].channel_id);
		(void)rfo_stats_total_viewers(&state);
		(void)rfo_stats_out_status_name(frame.channel.status);

		struct rfo_stats_report report;
		rfo_stats_report_init(&report);
		rfo_stats_report_set_state(&report, &state);
		obs_data_t *out = obs_data_create();
		rfo_stats_report_fill(&report, out);
		const char *wire = obs_data_get_json(out);
		RFO_FUZZ_ASSERT(wire != NULL);
		obs_data_release(out);
		rfo_stats_report_free(&report);

		(void)rfo_stats_age_out(&state, 1700000000 + 10 * RFO_STATS_DEFAULT_MAX_AGE, 0);
		RFO_FUZZ_ASSERT(state.num_channels == 0);
	}
	rfo_stats_frame_free(&frame);
	rfo_stats_state_free(&state);
	rfo_fuzz_check_allocs(before, "stats");
	return 0;
}
