#pragma once

/* The obs-websocket vendor requests of design.md, registered from obs_module_post_load. */
void rfo_requests_register(void);
