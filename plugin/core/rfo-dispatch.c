#include "rfo-dispatch.h"

#include <stddef.h>

static rfo_dispatcher_fn current;

void rfo_dispatch_set(rfo_dispatcher_fn dispatcher)
{
	current = dispatcher;
}

void rfo_dispatch(rfo_task_fn task, void *param)
{
	if (current)
		current(task, param);
	else
		task(param);
}
