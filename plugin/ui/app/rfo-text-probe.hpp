#pragma once

class QWidget;

/* A test aid, off unless RFO_DOCK_TEXT_PROBE is set: once the dock's tabs are built, logs the texts a user reads and a
 * screen reader says, as the running dock has them (so end-to-end tests check the locale OBS loaded, not a file):
 * `dock text probe: tab <i>: "<title>"` for each tab, then `dock text probe: <class> '<name>': "<accessible name>"`
 * for each control under `root` that has one (control characters as '?'). */
void rfoTextProbeLog(QWidget *root);
