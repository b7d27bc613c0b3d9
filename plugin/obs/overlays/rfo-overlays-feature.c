/* The overlays feature's descriptor and its vendor requests, ListOverlays and SetOverlayFilter (see rfo-overlays.h). */
#include "rfo-feature.h"
#include "rfo-overlays-private.h"
#include "rfo-overlays.h"
#include "rfo-vendor-args.h"
#include "rfo-vendor.h"

#include <obs-module.h>
#include <string.h>
#include <util/bmem.h>
#include <util/darray.h>
#include <util/dstr.h>

#define NAME_MAX_LEN 512

struct found {
	const char *name; /* the one wanted, or NULL: all */
	DARRAY(obs_source_t *) sources;
};

static void collect(void *param, obs_source_t *source, enum rfo_overlay_kind kind)
{
	UNUSED_PARAMETER(kind);
	struct found *f = param;
	const char *name = obs_source_get_name(source);
	if (f->name && (!name || strcmp(name, f->name) != 0))
		return;
	obs_source_t *ref = obs_source_get_ref(source);
	if (ref)
		da_push_back(f->sources, &ref);
}

static obs_data_t *overlay_data(obs_source_t *source)
{
	obs_data_t *d = obs_data_create();
	obs_data_set_string(d, "name", obs_source_get_name(source));
	const char *id = obs_source_get_unversioned_id(source);
	obs_data_set_string(d, "kind", id && strcmp(id, RFO_VIEWERS_SOURCE_ID) == 0 ? "viewers" : "chat");
	obs_data_t *settings = obs_source_get_settings(source);
	char *platforms = rfo_overlay_filter_format(rfo_overlay_read_platforms(settings));
	obs_data_set_string(d, "platforms", platforms);
	bfree(platforms);
	obs_data_release(settings);
	return d;
}

static void release_all(struct found *f)
{
	for (size_t i = 0; i < f->sources.num; i++)
		obs_source_release(f->sources.array[i]);
	da_free(f->sources);
}

void rfo_overlays_list_request(obs_data_t *request, obs_data_t *response, uint32_t wait_ms)
{
	UNUSED_PARAMETER(request);
	UNUSED_PARAMETER(wait_ms);
	struct found f = {0};
	rfo_overlays_foreach(collect, &f);
	obs_data_array_t *arr = obs_data_array_create();
	for (size_t i = 0; i < f.sources.num; i++) {
		obs_data_t *d = overlay_data(f.sources.array[i]);
		obs_data_array_push_back(arr, d);
		obs_data_release(d);
	}
	release_all(&f);
	obs_data_set_array(response, "overlays", arr);
	obs_data_array_release(arr);
	rfo_vendor_ok(response);
}

static void fail_with(obs_data_t *response, enum rfo_vendor_code code, const char *key, const char *what)
{
	struct dstr s = {0};
	dstr_copy(&s, obs_module_text(key));
	dstr_replace(&s, "%1", what);
	rfo_vendor_fail(response, code, s.array);
	dstr_free(&s);
}

void rfo_overlays_set_filter_request(obs_data_t *request, obs_data_t *response, uint32_t wait_ms)
{
	UNUSED_PARAMETER(wait_ms);
	const char *name = rfo_vendor_arg_string(request, "name");
	uint32_t mask = 0;
	char *bad = NULL;
	if (!rfo_overlay_filter_parse(rfo_vendor_arg_string(request, "platforms"), &mask, &bad)) {
		fail_with(response, RFO_VENDOR_INVALID_ARGUMENT, "Overlays.Error.Platform", bad);
		bfree(bad);
		return;
	}
	struct found f = {.name = name};
	rfo_overlays_foreach(collect, &f);
	if (!f.sources.num) {
		fail_with(response, RFO_VENDOR_NOT_FOUND, "Overlays.Error.NotFound", name);
		release_all(&f);
		return;
	}
	obs_source_t *source = f.sources.array[0];
	obs_data_t *changes = obs_data_create();
	rfo_overlay_set_platforms(changes, mask);
	obs_source_update(source, changes); /* saved with the scene collection like a change in the properties */
	obs_data_release(changes);
	obs_data_t *d = overlay_data(source);
	obs_data_set_obj(response, "overlay", d);
	obs_data_release(d);
	release_all(&f);
	rfo_vendor_ok(response);
}

static const struct rfo_vendor_arg set_filter_args[] = {
	{.name = "name", .type = RFO_VENDOR_ARG_STRING, .required = true, .max_len = NAME_MAX_LEN},
	{.name = "platforms", .type = RFO_VENDOR_ARG_STRING, .required = true, .max_len = RFO_OVERLAY_MAX_FILTER},
};

static const struct rfo_feature_request requests[] = {
	{.type = "ListOverlays", .handler = rfo_overlays_list_request},
	{
		.type = "SetOverlayFilter",
		.handler = rfo_overlays_set_filter_request,
		.args = set_filter_args,
		.arg_count = RFO_ARRAY_SIZE(set_filter_args),
	},
};

const struct rfo_feature rfo_overlays_feature = {
	.name = "overlays",
	.create = rfo_overlays_create,
	.stop = rfo_overlays_stop,
	.destroy = rfo_overlays_destroy,
	.requests = requests,
	.request_count = RFO_ARRAY_SIZE(requests),
};
