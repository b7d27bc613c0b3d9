#pragma once

#ifdef __cplusplus
extern "C" {
#endif

/* The one seam through which network threads hand work to the UI thread. In OBS it is
 * obs_queue_task(OBS_TASK_UI, task, param, false) (installed by plugin/obs); in unit tests it
 * runs the task synchronously (the default). Tasks own `param` and free it. Never wait for the
 * UI from a network thread. */
typedef void (*rfo_task_fn)(void *param);
typedef void (*rfo_dispatcher_fn)(rfo_task_fn task, void *param);

void rfo_dispatch_set(rfo_dispatcher_fn dispatcher);
void rfo_dispatch(rfo_task_fn task, void *param);

#ifdef __cplusplus
}
#endif
