#pragma once

class QWidget;

/* A test aid, off unless RFO_TOOLTIP_PROBE is set (read once): every second, each visible widget under `root` that
 * has a tooltip, and each row of a visible item view, gets the QEvent::ToolTip a hovering mouse would send, so Qt
 * shows that tooltip exactly as for a user; the text it shows (what a viewer reads) is logged once per distinct
 * tooltip as `tooltip probe: <widget>: shows "<text>"` (control characters as '?'). End-to-end tests read these
 * lines, and can watch that rendering a tooltip never opens a local file. */
void rfoTooltipProbeStart(QWidget *root);
