#pragma once

#include <QStringList>

class QWidget;

/* A test aid, off unless RFO_LAYOUT_PROBE is set (read once): registers the hotkey "RestreamForOBS.LayoutProbe"
 * (obs-websocket's TriggerHotkeyByName presses it). Each press takes the next step of a fixed walk: the dock floats
 * at the top left of the screen at 280, 400 and 700 px wide, first showing what the dock shows now (the signed-out
 * page before the test signs in), then each tab of the signed-in page in turn. Once the step is laid out and painted
 * it logs one line:
 *   layout probe: step N view=V width=W (asked A) scale=S rect=X,Y,W,H [list=X,Y,W,H] hscroll=none|NAMES
 *                 clipped=none|NAMES
 * where rect is the dock window on the screen and list the chat list (device pixels, for screenshots), hscroll the
 * scroll areas showing a horizontal scrollbar and clipped the one-line texts and buttons cut without an ellipsis.
 * After the last step it logs "layout probe: done". */
void rfoLayoutProbeStart(QWidget *dock);

/* The checks of a step (unit tests use them too), by widget name: the visible scroll areas under `root` showing a
 * horizontal scrollbar; the visible one-line labels and buttons under `root` cut without an ellipsis, and the
 * widgets reaching past the right edge of `edge` (the dock's window). */
QStringList rfoLayoutScrollbars(QWidget *root);
QStringList rfoLayoutClipped(QWidget *root, QWidget *edge);
